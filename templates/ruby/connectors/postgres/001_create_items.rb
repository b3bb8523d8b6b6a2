# frozen_string_literal: true

# Sequel's migrator applies files in version order and records the version in schema_info.
Sequel.migration do
  change do
    create_table(:items) do
      primary_key :id, type: :Bignum
      String :name, size: 200, null: false
      String :description, text: true
      column :created_at, 'timestamptz(3)', null: false, default: Sequel.lit('CURRENT_TIMESTAMP(3)')
      column :updated_at, 'timestamptz(3)', null: false, default: Sequel.lit('CURRENT_TIMESTAMP(3)')
      # Serves the listing order, newest first (an index is read backwards as cheaply).
      index %i[created_at id], name: :items_created_at_id_idx
    end
  end
end
