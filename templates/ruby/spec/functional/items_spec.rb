# frozen_string_literal: true

require 'functional_helper'

# The items API as a client sees it. Each example deletes what it created, so this can
# run against a deployment that holds other data (listings are checked relative to it,
# and assume no one else creates items meanwhile).
RSpec.describe 'items API' do
  let(:created_ids) { [] }

  after do
    created_ids.each { |id| delete("/items/#{id}") }
  end

  def create_item(payload = { name: 'an item' })
    reply = post('/items', payload)
    expect(reply.status).to eq(201)
    reply.json.tap { |item| created_ids << item['id'] }
  end

  # An id of the right shape that names nothing (any more).
  def missing_id
    id = create_item['id']
    expect(delete("/items/#{id}").status).to eq(204)
    id
  end

  def listed_ids(query)
    reply = get("/items?#{query}")
    expect(reply.status).to eq(200)
    reply.json.map { |item| item['id'] }
  end

  it 'creates, reads, lists, replaces and deletes an item' do
    item = create_item(name: 'first', description: 'the first one')
    expect(item).to match('id' => a_truthy_value, 'name' => 'first', 'description' => 'the first one',
                          'createdAt' => match(HttpHelpers::ISO_MILLIS_UTC),
                          'updatedAt' => match(HttpHelpers::ISO_MILLIS_UTC))
    expect(get("/items/#{item['id']}").json).to eq(item)
    expect(listed_ids('limit=100')).to include(item['id'])

    replaced = put("/items/#{item['id']}", name: 'renamed')
    expect(replaced.status).to eq(200)
    expect(replaced.json).to include('id' => item['id'], 'name' => 'renamed', 'description' => nil,
                                     'createdAt' => item['createdAt'])
    expect(get("/items/#{item['id']}").json).to eq(replaced.json)

    deleted = delete("/items/#{item['id']}")
    expect(deleted.status).to eq(204)
    expect(deleted.body).to be_empty
    expect_json_error(get("/items/#{item['id']}"), 404)
  end

  it 'stores an absent description as null, ignores unknown fields and keeps any text verbatim' do
    name = %(Ünïcødé 😀 '; DROP TABLE items; -- "quoted")
    item = create_item(name:, id: 'mine', extra: true)
    expect(item.keys).to contain_exactly('id', 'name', 'description', 'createdAt', 'updatedAt')
    expect(item).to include('name' => name, 'description' => nil)
  end

  describe 'paging' do
    it 'lists newest first, with limit and offset' do
      first, second, third = Array.new(3) { |i| create_item(name: "item #{i}")['id'] }
      expect(listed_ids('limit=3')).to eq([third, second, first])
      expect(listed_ids('limit=2&offset=1')).to eq([second, first])
    end

    it 'answers 20 items by default' do
      ids = Array.new(21) { |i| create_item(name: "bulk #{i}")['id'] }
      expect(listed_ids('')).to eq(ids.reverse.first(20))
    end

    %w[limit=0 limit=101 limit=-1 limit=abc limit=1.5 limit= offset=-1 offset=abc].each do |query|
      it "answers 400 for #{query}" do
        expect_json_error(get("/items?#{query}"), 400)
      end
    end
  end

  describe 'invalid bodies' do
    {
      'invalid JSON' => '{"name": "a"',
      'a JSON array' => '[]',
      'a missing name' => '{"description":"d"}',
      'an empty name' => '{"name":""}',
      'a name of 201 characters' => JSON.generate(name: 'n' * 201),
      'a description that is not a string' => '{"name":"a","description":false}'
    }.each do |label, body|
      it "answers 400 for #{label}, on create and on replace" do
        expect_json_error(post('/items', body), 400)
        item = create_item
        expect_json_error(put("/items/#{item['id']}", body), 400)
        expect(get("/items/#{item['id']}").json).to eq(item)
      end
    end

    it 'answers 413 for a body over 1 MiB' do
      expect_json_error(post('/items', JSON.generate(name: 'big', description: 'x' * (1024 * 1024))), 413)
    end

    # Answered from the headers: a server that waited for the 2 GiB it was promised would
    # leave this request hanging until the client gave up.
    it 'answers 413 at once, in JSON, for a declared length far over the limit' do
      path = "#{URI(HttpHelpers.base_url).path.chomp('/')}/items"
      head = <<~HTTP
        POST #{path} HTTP/1.1
        Host: #{URI(HttpHelpers.base_url).host}
        Content-Type: application/json
        Content-Length: #{2**31}
        Connection: close

      HTTP
      expect_json_error(raw_exchange(head, '{"name":1}'), 413)
    end
  end

  describe 'ids that name nothing' do
    it 'answers 404 for an item that does not exist' do
      id = missing_id
      expect_json_error(get("/items/#{id}"), 404)
      expect_json_error(put("/items/#{id}", name: 'ghost'), 404)
      expect_json_error(delete("/items/#{id}"), 404)
    end

    %w[abc 0 -1].each do |id|
      it "answers 404 for the impossible id #{id}" do
        expect_json_error(get("/items/#{id}"), 404)
        expect_json_error(put("/items/#{id}", name: 'ghost'), 404)
        expect_json_error(delete("/items/#{id}"), 404)
      end
    end
  end
end
