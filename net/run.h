// Runs a coroutine to completion on a fresh io_context on this thread; an
// exception escaping it (a bug, not an Error) is rethrown here.
#pragma once

#include "net/connection.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>

namespace mf::net {

template <class T>
T run_task(Task<T> task) {
  asio::io_context io;
  T result{};
  std::exception_ptr failure;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    failure = e;
    if (!e) result = std::move(value);
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return result;
}

}  // namespace mf::net
