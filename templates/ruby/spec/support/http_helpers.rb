# frozen_string_literal: true

require 'json'
require 'net/http'
require 'socket'
require 'uri'

# Requests to the service under test, by plain HTTP, and the assertions the functional
# specs share.
module HttpHelpers
  ISO_MILLIS_UTC = /\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\z/

  # What the service answered; `json` parses the body.
  Reply = Data.define(:status, :content_type, :body) do
    def json
      JSON.parse(body)
    end
  end

  class << self
    # Where the service answers, e.g. http://localhost:3000 (a path prefix is kept).
    attr_reader :base_url

    # Sends every request to `url` from now on, once it is known to answer.
    def use(url)
      unless url.match?(%r{\Ahttps?://[^/]})
        raise "BASE_URL must be an http(s) URL such as http://localhost:3000, not #{url.inspect}"
      end
      raise "Nothing answers #{url.chomp('/')}/health/live: is BASE_URL right?" unless live?(url)

      @base_url = url
    end

    def live?(base)
      uri = URI("#{base.chomp('/')}/health/live")
      Net::HTTP.start(uri.host, uri.port, use_ssl: uri.scheme == 'https', open_timeout: 2, read_timeout: 5) do |http|
        http.get(uri.request_uri).code == '200'
      end
    rescue SystemCallError, IOError, Net::OpenTimeout, Net::ReadTimeout
      false
    end
  end

  def get(path) = send_request(:get, path)
  def post(path, payload) = send_request(:post, path, payload)
  def put(path, payload) = send_request(:put, path, payload)
  def delete(path) = send_request(:delete, path)

  # A payload that is a String is sent as it is (to send broken JSON); anything else as JSON.
  def send_request(verb, path, payload = nil)
    uri = URI("#{HttpHelpers.base_url.chomp('/')}#{path}")
    request = Net::HTTP.const_get(verb.to_s.capitalize).new(uri)
    unless payload.nil?
      request.body = payload.is_a?(String) ? payload : JSON.generate(payload)
      request['content-type'] = 'application/json'
    end
    reply_to(uri, request)
  end

  def reply_to(uri, request)
    https = uri.scheme == 'https'
    response = Net::HTTP.start(uri.host, uri.port, use_ssl: https, open_timeout: 5, read_timeout: 30) do |http|
      http.request(request)
    end
    Reply.new(status: response.code.to_i, content_type: response['content-type'].to_s, body: response.body.to_s)
  end

  # Writes `head` (its lines end in "\n", and it ends with an empty one) and `body` in one go
  # on a plain socket, for requests Net::HTTP will not send as they are, and reads the answer
  # until the server closes the connection, for at most `timeout` seconds.
  def raw_exchange(head, body, timeout: 10)
    uri = URI(HttpHelpers.base_url)
    skip 'raw requests are sent over plain HTTP only' if uri.scheme == 'https'
    text = Socket.tcp(uri.host, uri.port, connect_timeout: 5) do |socket|
      socket.write(head.gsub("\n", "\r\n") + body)
      read_until_closed(socket, Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout)
    end
    head_text, _, reply_body = text.partition("\r\n\r\n")
    content_type = head_text[/^content-type:\s*(.+?)\r?$/i, 1].to_s
    Reply.new(status: head_text[%r{\AHTTP/1\.[01] (\d{3})}, 1].to_i, content_type: content_type, body: reply_body)
  end

  def read_until_closed(socket, deadline)
    received = +''
    loop do
      left = deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)
      raise "no complete answer in time; got #{received.inspect}" if left <= 0 || !socket.wait_readable(left)

      received << socket.readpartial(65_536)
    rescue EOFError
      return received
    end
  end

  def expect_json_error(reply, *statuses)
    expect(statuses).to include(reply.status)
    expect(reply.content_type).to start_with('application/json')
    expect(reply.json).to match('error' => a_kind_of(String))
  end
end
