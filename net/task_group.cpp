#include "net/task_group.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace mf::net {

struct TaskGroup::State {
  explicit State(asio::any_io_executor executor) : all_ended(executor, 1) {}
  std::size_t running = 0;
  std::exception_ptr failure;
  asio::experimental::channel<void(boost::system::error_code)> all_ended;  // one message when running drops to 0
};

TaskGroup::TaskGroup(asio::any_io_executor executor)
    : executor_(executor), state_(std::make_shared<State>(executor)) {}

void TaskGroup::spawn(Task<void> task) {
  ++state_->running;
  asio::co_spawn(executor_, std::move(task), [state = state_](std::exception_ptr e) {
    if (e && !state->failure) state->failure = e;
    if (--state->running == 0) state->all_ended.try_send(boost::system::error_code{});
  });
}

Task<void> TaskGroup::wait() {
  if (state_->running > 0) co_await state_->all_ended.async_receive(asio::use_awaitable);
  state_->all_ended.reset();  // a group may be used again
  if (auto failure = std::exchange(state_->failure, nullptr)) std::rethrow_exception(failure);
}

Task<void> sleep_for(std::chrono::milliseconds delay) {
  if (delay.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace mf::net
