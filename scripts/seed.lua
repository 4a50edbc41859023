-- wrk script: cycles through the seed document's six requests (percent-encoded as a
-- client sends them) and counts non-2xx responses as errors.
local requests = {
  "/uploadSessions?$expand=files($orderby=uploadedDateTime%20desc)",
  "/uploadSessions?$expand=files($filter=size%20gt%201000000)",
  "/uploadSessions?$expand=files($orderby=name%20asc)",
  "/uploadSessions?$expand=files($filter=name%20eq%20'building-a-access.csv')",
  "/uploadSessions?$expand=files($filter=uploadedDateTime%20ge%202026-01-01T00:00:00Z)",
  "/uploadSessions?$expand=files($filter=size%20gt%201000000;$orderby=uploadedDateTime%20desc)&$top=5&$count=true",
}
local next_index = 0

request = function()
  next_index = next_index % #requests + 1
  return wrk.format("GET", requests[next_index])
end

done = function(summary, latency, requests_)
  local errors = summary.errors
  io.write(string.format(
    "RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    summary.requests,
    errors.connect + errors.read + errors.write + errors.timeout + errors.status))
end
