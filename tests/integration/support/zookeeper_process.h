// ZooKeeperProcess: a real ZooKeeper 3.8 (Debian's jars, run by java) for a test, on 127.0.0.1
// and a port the OS picked, its data in a temp dir. It can be stopped and started again on the
// same port with the same data, as an outage looks to its clients.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

namespace kitsune::testing {

class ZooKeeperProcess {
 public:
  // Starts it and waits (up to 30 s) until it answers "ruok"; throws with its log otherwise.
  ZooKeeperProcess();
  // Kills it and removes the temp dir.
  ~ZooKeeperProcess();
  ZooKeeperProcess(const ZooKeeperProcess&) = delete;
  ZooKeeperProcess& operator=(const ZooKeeperProcess&) = delete;

  // "127.0.0.1:<port>", for kyuubi.ha.addresses and zookeeper_init.
  std::string connect_string() const;
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // SIGTERM, then SIGKILL after 10 s; the data and the port stay.
  void stop();
  // Starts it again after stop(), on the same port with the same data, and waits for it.
  void start();

  // What it has written to its log so far.
  std::string log() const;

 private:
  void launch();
  bool answers(std::chrono::milliseconds timeout) const;

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace kitsune::testing
