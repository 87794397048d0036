// Runs sweep points on a thread pool, appending each finished row durably to results.csv.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "floatscope/sweep.hpp"

namespace floatscope::sweep {

std::set<std::string> finished_ids(const std::filesystem::path& csv, const std::set<std::string>& allowed) {
  std::set<std::string> ids;
  if (!std::filesystem::exists(csv)) return ids;
  CsvTable t = read_csv_file(csv);
  if (t.torn_tail) std::filesystem::resize_file(csv, t.complete_bytes);  // drop the half-written row
  if (t.header.empty()) return ids;  // not even the header was complete: start over
  if (t.header != csv_columns())
    throw CorruptFile(csv.string() + ":1: its columns differ from this version's; "
                             "run the sweep into another directory");
  const std::size_t id_col = csv_column("point_id");
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const auto& id = t.rows[i][id_col];
    if (!allowed.count(id))
      throw CorruptFile(csv.string() + ":" + std::to_string(i + 2) + ": point " + id +
                        " is not a point of this sweep or shard");
    if (!ids.insert(id).second)
      throw CorruptFile(csv.string() + ":" + std::to_string(i + 2) + ": point " + id + " appears twice");
  }
  return ids;
}

DurableAppender::DurableAppender(const std::filesystem::path& p) : path_(p) {
  fd_ = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open " + p.string() + ": " + std::strerror(errno));
}

DurableAppender::~DurableAppender() { ::close(fd_); }

// One write per call, then fsync: a crash leaves whole rows plus at most one torn tail.
void DurableAppender::append_durably(const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    auto n = ::write(fd_, s.data() + off, s.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot write " + path_.string() + ": " + std::strerror(errno));
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd_) != 0) throw std::runtime_error("cannot flush " + path_.string() + ": " + std::strerror(errno));
}

namespace {

std::string clock_text(double s) {
  if (!std::isfinite(s) || s < 0) return "--:--";
  long t = std::lround(s);
  char buf[32];
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
  return buf;
}

class Progress {
 public:
  Progress(bool on, std::size_t total, std::size_t already) : on_(on), total_(total), base_(already) {}
  void update(std::size_t done_now, bool force = false) {
    if (!on_) return;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    double rate = secs > 0 ? static_cast<double>(done_now) / secs : 0;
    std::size_t done = base_ + done_now;
    double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : NAN;
    const int width = 30;
    int fill = total_ ? static_cast<int>(width * done / total_) : width;
    std::string bar(static_cast<std::size_t>(fill), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r[%s] %zu/%zu points  %.2f points/s  ETA %s ", bar.c_str(), done, total_, rate,
                 clock_text(eta).c_str());
    std::fflush(stderr);
  }
  void finish(std::size_t done_now) {
    if (!on_) return;
    update(done_now, true);
    std::fputc('\n', stderr);
  }

 private:
  bool on_;
  std::size_t total_, base_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

}  // namespace

RunSummary run_points(const std::vector<Point>& points, const std::filesystem::path& csv,
                      const Evaluator& evaluate, const RunOptions& options) {
  RunSummary summary;
  summary.total = points.size();
  std::set<std::string> allowed;
  for (const auto& p : points) allowed.insert(p.id);
  const auto done_ids = finished_ids(csv, allowed);
  summary.skipped = done_ids.size();
  std::vector<const Point*> remaining;
  for (const auto& p : points)
    if (!done_ids.count(p.id)) remaining.push_back(&p);

  DurableAppender out(csv);
  if (std::filesystem::file_size(csv) == 0) out.append_durably(csv_line(csv_columns()));

  // Workers compute; one writer appends whatever rows are ready in a single write + fsync (group
  // commit), so the fsync latency neither serialises the workers nor costs one flush per row. A row
  // counts as done only once it is on disk.
  std::mutex mu;
  std::condition_variable ready;
  std::size_t next = 0, done = 0;
  int running = 0;
  std::string pending, error;
  std::size_t pending_rows = 0;
  Progress progress(options.progress, summary.total, summary.skipped);
  auto stopped = [&] { return options.stop && options.stop->load(); };
  auto fail = [&](std::string why) {
    if (error.empty()) error = std::move(why);
  };
  auto worker = [&] {
    while (true) {
      const Point* p = nullptr;
      {
        std::lock_guard lock(mu);
        if (next >= remaining.size() || !error.empty() || stopped()) break;
        p = remaining[next++];
      }
      std::string line;
      try {
        line = csv_line(result_row(*p, evaluate(p->spec)));
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        fail(std::string(e.what()) + " [point " + p->id + ": " + describe(*p) + "]");
        break;
      }
      std::lock_guard lock(mu);
      pending += line;
      ++pending_rows;
      ready.notify_one();
    }
    std::lock_guard lock(mu);
    --running;
    ready.notify_one();
  };
  auto writer = [&] {
    std::unique_lock lock(mu);
    while (true) {
      ready.wait(lock, [&] { return pending_rows > 0 || running == 0; });
      if (pending_rows == 0) return;  // all workers gone and nothing left to write
      std::string batch = std::move(pending);
      std::size_t n = pending_rows;
      pending.clear();
      pending_rows = 0;
      lock.unlock();
      std::string why;
      try {
        out.append_durably(batch);
      } catch (const std::exception& e) {
        why = e.what();
      }
      lock.lock();
      if (!why.empty()) {
        fail(why);
        continue;  // workers see the error and stop; remaining rows are recomputed on resume
      }
      done += n;
      progress.update(done);
    }
  };
  int threads = options.threads > 0 ? options.threads
                                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads =
      static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), std::max<std::size_t>(remaining.size(), 1)));
  running = threads;
  std::thread write_thread(writer);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  write_thread.join();
  progress.finish(done);

  summary.done = done;
  summary.error = error;
  summary.interrupted = error.empty() && summary.skipped + done < summary.total;
  if (summary.complete()) {
    CsvTable t = read_csv_file(csv);
    write_sorted_csv(csv, points, std::move(t.rows));
  }
  return summary;
}

}  // namespace floatscope::sweep
