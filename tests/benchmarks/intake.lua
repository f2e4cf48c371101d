-- wrk script: POSTs inquiries with unique external ids and customers; prints figures as JSON when done.
-- From the environment (set by bench_intake.py): BENCH_PATH (default /v1/inquiries; the floors post
-- the same bodies to /bench/empty and /bench/insert), BENCH_RUN (prefix of the external ids), PACE_MS
-- (each connection waits this long between requests), BENCH_TOKEN.
local counter = 0
local threads = {}
local pace = tonumber(os.getenv("PACE_MS") or "0")
local token = os.getenv("BENCH_TOKEN")
local run = os.getenv("BENCH_RUN") or "r"
local path = os.getenv("BENCH_PATH") or "/v1/inquiries"

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
end

local texts = {
  "My new card has not arrived yet",
  "I see a payment on my account that I did not make",
  "How do I top up my account with cash?",
  "لم تصل بطاقتي الجديدة بعد",
  "What is the exchange rate for euros today?",
}

function request()
  counter = counter + 1
  -- A new customer each time: the common case of a contact centre's day (a customer writing again
  -- while their ticket is open joins its thread, a path with more queries, tested elsewhere).
  local body = string.format(
    '{"channel":"web","external_id":"%s-%d-%d","customer":{"web_user_id":"%s-%d-%d"},"text":"%s"}',
    run, tid, counter, run, tid, counter, texts[counter % #texts + 1])
  return wrk.format("POST", path, headers, body)
end

function delay()
  return pace
end

-- 429s (shed at the door while the classifier is busy) are counted apart from other non-2xx.
shed = 0
function response(status, headers, body)
  if status == 429 then
    shed = shed + 1
  end
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  local shed_total = 0
  for _, thread in ipairs(threads) do
    shed_total = shed_total + (thread:get("shed") or 0)
  end
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non2xx":%d,"shed":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, non2xx, shed_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
