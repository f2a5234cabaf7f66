#include "core/secret.h"

#include "core/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mf {
namespace {

std::string first_line(std::string text) {
  auto end = text.find_first_of("\r\n");
  if (end != std::string::npos) text.resize(end);
  return text;
}

}  // namespace

Result<std::string> command_output(const std::string& command) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return make_error(Errc::Io, std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, "/bin/sh", &actions, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    return make_error(Errc::Io, std::string("cannot run /bin/sh: ") + std::strerror(spawned), command);
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (out.size() < (64 << 10)) out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return make_error(Errc::Auth,
                      WIFEXITED(status) ? "command exited with status " + std::to_string(WEXITSTATUS(status))
                                        : std::string("command was killed"),
                      command);
  return out;
}

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Result<std::string> resolve_secret(std::string_view spec) {
  if (spec.rfind("cmd:", 0) == 0) {
    MF_TRY(out, command_output(std::string(spec.substr(4))));
    return first_line(std::move(out));
  }
  if (spec.rfind("file:", 0) == 0) {
    std::string path(spec.substr(5));
    auto text = read_file(path);
    if (!text) return with_context(text.error(), "password file");
    return first_line(std::move(*text));
  }
  if (spec.rfind("plain:", 0) == 0) return std::string(spec.substr(6));
  return std::string(spec);
}

}  // namespace mf
