# frozen_string_literal: true

# Sequel's migrator applies files in version order and records the version in schema_info.
Sequel.migration do
  change do
    # utf8mb4 whatever the server's default, so every character fits.
    create_table(:items, engine: 'InnoDB', charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci') do
      primary_key :id, type: :Bignum
      String :name, size: 200, null: false
      # TEXT stops at 64 KiB; any description that fits the 1 MiB body limit fits MEDIUMTEXT.
      column :description, 'mediumtext'
      # DATETIME(3) has no zone: the app's sessions run in UTC, so these hold UTC.
      column :created_at, 'datetime(3)', null: false, default: Sequel.lit('CURRENT_TIMESTAMP(3)')
      column :updated_at, 'datetime(3)', null: false, default: Sequel.lit('CURRENT_TIMESTAMP(3)')
      # Serves the listing order, newest first (an index is read backwards as cheaply).
      index %i[created_at id], name: :items_created_at_id_idx
    end
  end
end
