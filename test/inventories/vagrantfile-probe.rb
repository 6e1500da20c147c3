# Evaluates a Vagrantfile with a stand-in for Vagrant that records every setting it makes, and
# prints them as JSON: { "calls": [{ "path": ["vm", "define", "node1", "vm", "hostname"],
# "args": ["node1"], "kw": {} }, ...], "machines": the MACHINES constant }. A block's arguments extend the path of the calls made inside it
# (`config.vm.define "node1" do |node| node.vm.hostname = ...`). Usage: ruby PROBE Vagrantfile
require "json"

CALLS = []

class Recorder < BasicObject
  def initialize(path)
    @path = path
  end

  def method_missing(name, *args, **kw, &block)
    path = @path + [name.to_s.delete_suffix("=")]
    ::CALLS << { path: path, args: args, kw: kw } unless args.empty? && kw.empty? && block.nil?
    block&.call(::Recorder.new(path + args.map(&:to_s)))
    ::Recorder.new(path)
  end

  def respond_to_missing?(*) = true
end

module Vagrant
  def self.configure(version, &block)
    CALLS << { path: ["configure"], args: [version], kw: {} }
    block.call(Recorder.new([]))
  end
end

load File.expand_path(ARGV.fetch(0))
puts JSON.generate({ calls: CALLS, machines: defined?(MACHINES) ? MACHINES : nil })
