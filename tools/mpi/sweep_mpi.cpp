// The MPI sweep: rank 0 schedules (largest estimated cost first) and is the only writer; every
// rank runs points on a small thread pool. Only rank-0's main thread and each worker's main
// thread call MPI (MPI_THREAD_FUNNELED); they poll (MPI_Iprobe, then a short wait on their pool)
// instead of blocking in MPI_Recv, whose busy-wait would take a core from the computing threads.
#include "sweep_mpi.hpp"

#include <mpi.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "floatscope/sweep_schedule.hpp"

namespace floatscope::cli::mpi_sweep {
namespace {

// Messages, all MPI_BYTE: READY "slots pid host" (worker -> 0, once), WORK key (0 -> worker),
// STOP (0 -> worker: nothing more; sent only when the worker holds nothing), RESULT key + CSV row,
// FAILED key + message (worker -> 0).
enum Tag : int { kReady = 1, kWork = 2, kStop = 3, kResult = 4, kFailed = 5 };

// Set when rank 0 leaves without the workers (a dead rank, a signal): MPI_Finalize could then
// wait forever for ranks that will never call it.
bool g_abandoned = false;

constexpr auto kPollWait = std::chrono::microseconds(200);

std::string key_bytes(std::uint64_t key) {
  std::string b(sizeof key, '\0');
  std::memcpy(b.data(), &key, sizeof key);
  return b;
}

std::uint64_t key_of(const std::string& bytes) {
  std::uint64_t key = 0;
  if (bytes.size() < sizeof key) throw std::runtime_error("MPI sweep: a message without a point key");
  std::memcpy(&key, bytes.data(), sizeof key);
  return key;
}

void send(int dest, int tag, const std::string& bytes) {
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, dest, tag, MPI_COMM_WORLD);
}

struct Message {
  int source = 0, tag = 0;
  std::string bytes;
};

std::optional<Message> poll_message() {
  int flag = 0;
  MPI_Status st;
  MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
  if (!flag) return std::nullopt;
  int n = 0;
  MPI_Get_count(&st, MPI_BYTE, &n);
  Message m{st.MPI_SOURCE, st.MPI_TAG, std::string(static_cast<std::size_t>(n), '\0')};
  MPI_Recv(m.bytes.data(), n, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return m;
}

// "point <id> [key=value ...]", as run_points names a failed point.
std::string point_text(const sweep::Point& p) { return "point " + p.id + " [" + sweep::describe(p) + "]"; }

std::string host_name() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

// Whether process `pid` on this machine still runs (a zombie, killed but not yet reaped by the
// launcher, counts as dead).
bool process_alive(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return false;
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return true;
  const char state = stat[paren + 2];
  return state != 'Z' && state != 'X';
}

// Points running on this rank's threads: submit keys, collect finished rows (or failures).
class LocalPool {
 public:
  struct Done {
    std::uint64_t key;
    bool ok;
    std::string text;  // the CSV row, or the failure naming the point
  };

  LocalPool(const std::vector<sweep::Point>& points, const sweep::Evaluator& evaluate, int threads)
      : points_(points), evaluate_(evaluate) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this] { run(); });
  }
  ~LocalPool() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    work_.notify_all();
    for (auto& t : threads_) t.join();
  }
  LocalPool(const LocalPool&) = delete;
  LocalPool& operator=(const LocalPool&) = delete;

  int slots() const { return static_cast<int>(threads_.size()); }
  void submit(std::uint64_t key) {
    if (key >= points_.size()) throw std::runtime_error("MPI sweep: point key " + std::to_string(key) + " out of range");
    {
      std::lock_guard lock(mu_);
      inbox_.push_back(key);
      ++busy_;
    }
    work_.notify_one();
  }
  std::vector<Done> collect() {
    std::lock_guard lock(mu_);
    std::vector<Done> out(std::make_move_iterator(outbox_.begin()), std::make_move_iterator(outbox_.end()));
    outbox_.clear();
    busy_ -= out.size();
    return out;
  }
  bool idle() {
    std::lock_guard lock(mu_);
    return busy_ == 0;
  }
  // Returns when a result is ready or after `d`, whichever is first.
  void wait_for_result(std::chrono::microseconds d) {
    std::unique_lock lock(mu_);
    finished_.wait_for(lock, d, [&] { return !outbox_.empty(); });
  }

 private:
  void run() {
    while (true) {
      std::uint64_t key = 0;
      {
        std::unique_lock lock(mu_);
        work_.wait(lock, [&] { return closing_ || !inbox_.empty(); });
        if (inbox_.empty()) return;
        key = inbox_.front();
        inbox_.pop_front();
      }
      const auto& p = points_[key];
      Done d{key, true, {}};
      try {
        d.text = sweep::csv_line(sweep::result_row(p, evaluate_(p.spec)));
      } catch (const std::exception& e) {
        d.ok = false;
        d.text = std::string(e.what()) + " [" + point_text(p) + "]";
      }
      {
        std::lock_guard lock(mu_);
        outbox_.push_back(std::move(d));
      }
      finished_.notify_one();
    }
  }

  const std::vector<sweep::Point>& points_;
  const sweep::Evaluator evaluate_;  // a copy: an abandoned pool may outlive the caller's
  std::mutex mu_;
  std::condition_variable work_, finished_;
  std::deque<std::uint64_t> inbox_;
  std::vector<Done> outbox_;
  std::size_t busy_ = 0;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

// Rank 0's writer thread: rows handed over are appended in groups, one write + fsync per group,
// so that the scheduler loop never waits for the disk (a flush takes a millisecond or more, far
// longer than handing out a point). A row counts as done only once it is on disk.
class GroupWriter {
 public:
  explicit GroupWriter(const std::filesystem::path& csv) : out_(csv), thread_([this] { run(); }) {}
  ~GroupWriter() { close(); }
  GroupWriter(const GroupWriter&) = delete;
  GroupWriter& operator=(const GroupWriter&) = delete;

  void add(std::string row) {
    {
      std::lock_guard lock(mu_);
      pending_ += row;
      ++pending_rows_;
    }
    wake_.notify_one();
  }
  std::size_t written() {
    std::lock_guard lock(mu_);
    return written_;
  }
  std::string error() {
    std::lock_guard lock(mu_);
    return error_;
  }
  // Writes what is pending, then stops the thread.
  void close() {
    {
      std::lock_guard lock(mu_);
      if (closing_) return;
      closing_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (true) {
      wake_.wait(lock, [&] { return pending_rows_ > 0 || closing_; });
      if (pending_rows_ == 0) return;  // closing, nothing left
      std::string group = std::move(pending_);
      const std::size_t n = pending_rows_;
      pending_.clear();
      pending_rows_ = 0;
      lock.unlock();
      std::string why;
      try {
        out_.append_durably(group);
      } catch (const std::exception& e) {
        why = e.what();
      }
      lock.lock();
      if (why.empty()) written_ += n;
      else if (error_.empty()) error_ = why;  // these rows are recomputed on resume
    }
  }

  sweep::DurableAppender out_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::string pending_, error_;
  std::size_t pending_rows_ = 0, written_ = 0;
  bool closing_ = false;
  std::thread thread_;
};

std::string clock_text(double s) {
  if (!std::isfinite(s) || s < 0) return "--:--";
  const long t = std::lround(s);
  char buf[32];
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
  return buf;
}

// "points done/total, rate, ETA, ranks busy" on stderr: rewritten in place on a terminal, else
// (a batch log) one line every 10 s; always a last line.
class ProgressLines {
 public:
  ProgressLines(bool on, std::size_t total, std::size_t already, int ranks)
      : on_(on), tty_(::isatty(2)), total_(total), base_(already), ranks_(ranks) {}
  // Whether a line is due (so that the caller computes its numbers only then).
  bool due() const {
    return on_ && std::chrono::steady_clock::now() - last_ >=
                      (tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(10000));
  }
  void update(std::size_t done_now, std::size_t busy, bool last = false) {
    if (!on_ || (!last && !due())) return;
    const auto now = std::chrono::steady_clock::now();
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? static_cast<double>(done_now) / secs : 0;
    const std::size_t done = base_ + done_now;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : NAN;
    std::fprintf(stderr, "%ssweep: %zu/%zu points  %.2f points/s  ETA %s  ranks busy %zu/%d%s", tty_ ? "\r" : "",
                 done, total_, rate, clock_text(eta).c_str(), busy, ranks_, tty_ && !last ? " " : "\n");
    std::fflush(stderr);
  }

 private:
  bool on_, tty_;
  std::size_t total_, base_;
  int ranks_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

struct RankState {
  bool ready = false, stopped = false;
  long pid = 0;
  std::string host;
};

}  // namespace

int init(int* size) {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  if (provided < MPI_THREAD_FUNNELED)
    throw std::runtime_error("MPI sweep: the MPI library does not allow threads (MPI_THREAD_FUNNELED)");
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  return rank;
}

bool abandoned() { return g_abandoned; }

void finalize() {
  if (!g_abandoned) MPI_Finalize();
}

sweep::RunSummary schedule(const std::vector<sweep::Point>& points, const std::filesystem::path& csv,
                           const sweep::Evaluator& evaluate, const Options& options) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  sweep::RunSummary summary;
  summary.total = points.size();
  std::set<std::string> allowed;
  for (const auto& p : points) allowed.insert(p.id);
  const auto done_ids = sweep::finished_ids(csv, allowed);
  summary.skipped = done_ids.size();

  // Keys are positions in `points` (the same list on every rank); the queue hands out the
  // remaining ones largest estimated cost first, so no large point starts last.
  std::vector<std::size_t> keys;
  std::vector<double> costs;
  for (std::size_t i = 0; i < points.size(); ++i)
    if (!done_ids.count(points[i].id)) {
      keys.push_back(i);
      costs.push_back(sweep::estimate_cost(points[i].spec));
    }
  std::vector<std::size_t> order;
  for (std::size_t j : sweep::largest_first(costs)) order.push_back(keys[j]);
  sweep::WorkQueue queue(std::move(order));

  {
    sweep::DurableAppender header(csv);
    if (std::filesystem::file_size(csv) == 0) header.append_durably(sweep::csv_line(sweep::csv_columns()));
  }
  GroupWriter writer(csv);

  auto pool = std::make_unique<LocalPool>(points, evaluate, options.threads);
  std::vector<RankState> ranks(static_cast<std::size_t>(size));
  std::string error;
  bool draining = false;  // a point failed: hand out nothing more, collect what is in flight
  ProgressLines progress(options.progress, summary.total, summary.skipped, size);
  const std::string my_host = host_name();

  auto fail = [&](const std::string& why) {
    if (error.empty()) error = why;
    draining = true;
  };
  // One free thread on rank r: the next point, or STOP once r holds nothing and nothing is left.
  auto give = [&](int r) {
    if (!draining)
      if (auto key = queue.take(r)) {
        if (r == 0) pool->submit(*key);
        else send(r, kWork, key_bytes(*key));
        return;
      }
    auto& st = ranks[static_cast<std::size_t>(r)];
    if (r != 0 && !st.stopped && queue.held_by(r).empty()) {
      send(r, kStop, {});
      st.stopped = true;
    }
  };
  auto on_result = [&](int r, std::uint64_t key, bool ok, std::string text) {
    try {
      queue.finish(r, key);
    } catch (const std::logic_error& e) {  // never write a row no one was asked for
      fail(std::string("MPI sweep: ") + e.what());
      return;
    }
    if (ok) {
      writer.add(std::move(text));
    } else {
      fail(text);
    }
    give(r);
  };
  // Points held by rank r, for messages.
  auto held_text = [&](int r) {
    std::string s;
    for (std::size_t key : queue.held_by(r)) s += (s.empty() ? "" : "; ") + point_text(points[key]);
    return s.empty() ? std::string("no point") : s;
  };

  for (int s = 0; s < pool->slots(); ++s) give(0);
  auto last_check = std::chrono::steady_clock::now();
  bool abandoned = false;
  while (true) {
    bool any = false;
    while (auto m = poll_message()) {
      any = true;
      auto& st = ranks[static_cast<std::size_t>(m->source)];
      if (m->tag == kReady) {
        std::istringstream in(m->bytes);
        int slots = 0;
        in >> slots >> st.pid >> st.host;
        st.ready = true;
        for (int s = 0; s < std::max(slots, 1); ++s) give(m->source);
      } else if (m->tag == kResult || m->tag == kFailed) {
        on_result(m->source, key_of(m->bytes), m->tag == kResult, m->bytes.substr(sizeof(std::uint64_t)));
      }
    }
    for (auto& d : pool->collect()) {
      any = true;
      on_result(0, d.key, d.ok, std::move(d.text));
    }
    if (auto why = writer.error(); !why.empty()) fail(why);
    if (progress.due()) progress.update(writer.written(), queue.busy_workers().size());
    if (options.stop && options.stop->load()) {
      // mpirun tears the job down (Ctrl-C, or a rank died on another machine): the other ranks are
      // being killed too, so leave now, naming what was in flight.
      std::string held;
      for (int r : queue.busy_workers()) held += "\n  rank " + std::to_string(r) + " held " + held_text(r);
      std::fprintf(stderr,
                   "floatscope: the MPI sweep was stopped by a signal (Ctrl-C, or mpirun ending the job because a "
                   "rank died)%s\n",
                   held.empty() ? "" : (": points in flight:" + held).c_str());
      abandoned = true;
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_check > std::chrono::milliseconds(100)) {  // a rank on this machine died?
      last_check = now;
      for (int r = 1; r < size; ++r) {
        const auto& st = ranks[static_cast<std::size_t>(r)];
        if (st.ready && !st.stopped && st.host == my_host && !process_alive(st.pid)) {
          error = "MPI rank " + std::to_string(r) + " (pid " + std::to_string(st.pid) + " on " + st.host +
                  ") died holding " + held_text(r);
          abandoned = true;
          break;
        }
      }
      if (abandoned) break;
    }
    bool all_stopped = true;
    for (int r = 1; r < size; ++r) all_stopped &= ranks[static_cast<std::size_t>(r)].stopped;
    if (all_stopped && queue.in_flight() == 0 && (draining || queue.waiting() == 0)) break;
    if (!any) pool->wait_for_result(kPollWait);
  }
  writer.close();  // the rows received so far, on disk before anything is reported
  if (auto why = writer.error(); !why.empty() && error.empty()) error = why;
  const std::size_t done = writer.written();
  progress.update(done, queue.busy_workers().size(), true);
  summary.done = done;
  summary.error = error;
  summary.interrupted = error.empty() && summary.skipped + done < summary.total;
  if (abandoned) {
    // Threads may be inside a point that will never be collected; the process exits soon
    // (finalize() is skipped), so the pool is left running rather than waited for.
    g_abandoned = true;
    (void)pool.release();
    return summary;
  }
  pool.reset();
  if (summary.complete()) {
    sweep::CsvTable t = sweep::read_csv_file(csv);
    sweep::write_sorted_csv(csv, points, std::move(t.rows));
  }
  return summary;
}

int work(const std::vector<sweep::Point>& points, const sweep::Evaluator& evaluate, const Options& options) {
  LocalPool pool(points, evaluate, options.threads);
  send(0, kReady, std::to_string(pool.slots()) + " " + std::to_string(::getpid()) + " " + host_name());
  bool stopping = false;
  while (true) {
    bool any = false;
    while (auto m = poll_message()) {
      any = true;
      if (m->tag == kWork) pool.submit(key_of(m->bytes));
      else if (m->tag == kStop) stopping = true;
    }
    for (auto& d : pool.collect()) {
      any = true;
      send(0, d.ok ? kResult : kFailed, key_bytes(d.key) + d.text);
    }
    if (stopping && pool.idle()) break;  // STOP comes only when this rank holds nothing
    if (!any) pool.wait_for_result(kPollWait);
  }
  return 0;
}

}  // namespace floatscope::cli::mpi_sweep
