// spdlog's async logger as the C++ peer: Debian's libspdlog-dev, a queue of 8192 messages with the
// block policy, one worker thread, one async logger with one basic_file_sink per agent (sharing the
// thread pool), pattern "%v", the line formatted with fmt by the caller.
// Usage: spdlog_bench DIR EVENTS AGENTS
// Timed from the first event to the end of the final flush and close (the thread pool is joined
// after it has drained its queue, and the sinks are destroyed, which closes the files).
#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "line.h"
}

int main(int argc, char **argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: spdlog_bench DIR EVENTS AGENTS\n");
        return 64;
    }
    const std::string dir = argv[1];
    const long events = std::atol(argv[2]);
    const int agents = std::atoi(argv[3]);
    if (events < 1 || agents < 1 || agents > 1024) {
        std::fprintf(stderr, "spdlog_bench: EVENTS must be at least 1 and AGENTS between 1 and 1024\n");
        return 64;
    }
    peer_clock clock;
    peer_clock_init(&clock, 0x7654321ULL);
    char ts[32], id[27];
    peer_stamp(&clock, ts, id);

    spdlog::init_thread_pool(8192, 1);
    std::vector<std::shared_ptr<spdlog::async_logger>> loggers;
    std::vector<std::string> names, sessions;
    for (int a = 0; a < agents; a++) {
        names.push_back(fmt::format("agent-{}", a + 1));
        sessions.push_back(fmt::format("{}_agent-{}_001", clock.day, a + 1));
        auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(fmt::format("{}/agent-{}.jsonl", dir, a + 1));
        auto logger = std::make_shared<spdlog::async_logger>(names.back(), sink, spdlog::thread_pool(),
                                                             spdlog::async_overflow_policy::block);
        logger->set_pattern("%v");
        loggers.push_back(logger);
    }

    const auto start = std::chrono::steady_clock::now();
    fmt::memory_buffer line;
    for (long seq = 0; seq < events; seq++) {
        const int a = static_cast<int>(seq % agents);
        peer_stamp(&clock, ts, id);
        line.clear();
        fmt::format_to(std::back_inserter(line),
                       "{{\"ts\":\"{}\",\"id\":\"{}\",\"agent\":\"{}\",\"session_id\":\"{}\",\"event\":\"task_result\","
                       "\"task_id\":\"wo-{:07}\",\"source\":\"gg_orchestrator\","
                       "\"summary\":\"Completed layout SPEC + PLAN for the ledger app\","
                       "\"data\":{{\"status\":\"success\",\"duration_sec\":1,\"seq\":{}}}}}",
                       ts, id, names[a], sessions[a], seq, seq);
        loggers[a]->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
    }
    for (auto &l : loggers) l->flush();
    loggers.clear();
    spdlog::shutdown();  // drops the thread pool: the worker drains the queue, then is joined
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("{\"peer\":\"spdlog\",\"events\":%ld,\"agents\":%d,\"seconds\":%.6f,\"events_per_sec\":%.0f}\n", events,
                agents, seconds, static_cast<double>(events) / seconds);
    return 0;
}
