# frozen_string_literal: true

require 'functional_helper'

RSpec.describe 'health, API description and unknown routes' do
  it 'GET /health answers 200 with the database up' do
    reply = get('/health')
    expect(reply.status).to eq(200)
    expect(reply.json).to eq('status' => 'ok', 'database' => 'up')
  end

  it 'GET /health/live answers 200' do
    reply = get('/health/live')
    expect(reply.status).to eq(200)
    expect(reply.json).to eq('status' => 'ok')
  end

  it 'GET /openapi.json describes every route' do
    reply = get('/openapi.json')
    expect(reply.status).to eq(200)
    expect(reply.content_type).to start_with('application/json')
    document = reply.json
    expect(document['openapi']).to start_with('3.')
    paths = document['paths']
    expect(paths.keys).to include('/health', '/health/live', '/items', '/items/{id}')
    expect(paths['/items'].keys).to include('get', 'post')
    expect(paths['/items/{id}'].keys).to include('get', 'put', 'delete')
  end

  it 'answers 404 in JSON for an unknown path' do
    expect_json_error(get('/no/such/path'), 404)
  end

  it 'answers 404 or 405 in JSON for a method a known path does not serve' do
    expect_json_error(delete('/health'), 404, 405)
    expect_json_error(send_request(:patch, '/items', '{}'), 404, 405)
  end
end
