# frozen_string_literal: true

require 'socket'

# A TCP proxy in front of the real database that can stop delivering bytes, as a database
# does when it hangs (frozen, paused, or a network path that drops packets): connections
# open and stay open, and nothing answers. Held bytes are delivered on thaw. Loopback only.
class FreezableProxy
  def initialize(host, port)
    @target = [host, port]
    @server = TCPServer.new('127.0.0.1', 0)
    @lock = Mutex.new
    @thawed = ConditionVariable.new
    @frozen = false
    @sockets = []
    @acceptor = Thread.new { accept_loop }
  end

  def port
    @server.addr[1]
  end

  def hang
    @lock.synchronize { @frozen = true }
  end

  def thaw
    @lock.synchronize do
      @frozen = false
      @thawed.broadcast
    end
  end

  def close
    thaw
    @server.close
    @acceptor.join
    @lock.synchronize { @sockets.each(&:close) }
  end

  private

  def accept_loop
    loop do
      client = @server.accept
      upstream = TCPSocket.new(*@target)
      @lock.synchronize { @sockets.push(client, upstream) }
      pump(client, upstream)
      pump(upstream, client)
    end
  rescue IOError, SystemCallError
    # The listening socket was closed.
  end

  def pump(from, to)
    Thread.new do
      loop do
        chunk = from.readpartial(64 * 1024)
        @lock.synchronize { @thawed.wait(@lock) while @frozen }
        to.write(chunk)
      end
    rescue IOError, SystemCallError
      [from, to].each(&:close)
    end
  end
end
