-- wrk script for the read scenarios: a uniformly random account of the set per request, and a
-- one-line JSON summary at the end that wrkRun.ts parses (latencies in microseconds).
local accounts = tonumber(os.getenv("BENCH_ACCOUNTS"))
local prefix = os.getenv("BENCH_ACCOUNT_PREFIX")
math.randomseed(tonumber(os.getenv("BENCH_SEED")))

request = function()
  return wrk.format("GET", "/v1/accounts/" .. prefix .. math.random(0, accounts - 1) .. "/balance")
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"meanUs":%f,"p50Us":%d,"p90Us":%d,"p99Us":%d,"p999Us":%d,"maxUs":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
