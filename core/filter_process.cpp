#include "core/filter_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace mf {
namespace {

// The program's path, found before fork (the child may only exec).
std::string find_in_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : std::string();
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    auto end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

}  // namespace

Result<std::string> run_filter(const std::vector<std::string>& argv, std::string_view input,
                               const FilterLimits& limits) {
  const std::string& name = argv.at(0);
  std::string program = find_in_path(name);
  if (program.empty()) return make_error(Errc::NotFound, name + " is not installed");
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return make_error(Errc::Io, std::string("pipe: ") + std::strerror(errno), name);
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return make_error(Errc::Io, std::string("pipe: ") + std::strerror(errno), name);
  }
  std::vector<char*> args;
  std::vector<std::string> copy = argv;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  pid_t pid = ::fork();
  if (pid == 0) {  // only async-signal-safe calls until exec
    struct rlimit memory = {limits.memory_bytes, limits.memory_bytes};
    ::setrlimit(RLIMIT_AS, &memory);
    struct rlimit core = {0, 0};
    ::setrlimit(RLIMIT_CORE, &core);
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    if (devnull >= 0) ::dup2(devnull, 2);
    ::execv(program.c_str(), args.data());
    ::_exit(127);
  }
  if (devnull >= 0) ::close(devnull);
  ::close(in[0]);
  ::close(out[1]);
  if (pid < 0) {
    ::close(in[1]);
    ::close(out[0]);
    return make_error(Errc::Io, std::string("fork: ") + std::strerror(errno), name);
  }
  ::fcntl(in[1], F_SETFL, O_NONBLOCK);
  std::string output;
  std::size_t written = 0;
  int to_child = input.empty() ? -1 : in[1];
  if (to_child < 0) ::close(in[1]);
  std::string stopped;  // why it was killed
  auto deadline = std::chrono::steady_clock::now() + limits.time;
  int from_child = out[0];
  while (from_child >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      stopped = "took longer than " + std::to_string(limits.time.count()) + " ms";
      break;
    }
    pollfd fds[2] = {{from_child, POLLIN, 0}, {to_child, POLLOUT, 0}};
    int n = ::poll(fds, to_child >= 0 ? 2 : 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (to_child >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = ::write(to_child, input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
        ::close(to_child);  // all given, or the helper stopped reading: it has what it gets
        to_child = -1;
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buffer[65536];
      ssize_t r = ::read(from_child, buffer, sizeof buffer);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r <= 0) {
        ::close(from_child);
        from_child = -1;
        continue;
      }
      output.append(buffer, static_cast<std::size_t>(r));
      if (output.size() > limits.output_bytes) {
        stopped = "wrote more than " + std::to_string(limits.output_bytes) + " bytes";
        break;
      }
    }
  }
  if (!stopped.empty()) ::kill(pid, SIGKILL);
  if (to_child >= 0) ::close(to_child);
  if (from_child >= 0) ::close(from_child);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!stopped.empty()) return make_error(Errc::Limit, name + " " + stopped + ", stopped");
  if (WIFSIGNALED(status))
    return make_error(Errc::Limit, name + " was killed by signal " + std::to_string(WTERMSIG(status)) +
                                       " (out of memory at " + std::to_string(limits.memory_bytes >> 20) + " MB?)");
  if (WEXITSTATUS(status) != 0)
    return make_error(Errc::Corrupt, name + " exited with status " + std::to_string(WEXITSTATUS(status)));
  return output;
}

}  // namespace mf
