-- wrk script for bench/http_load.py: POST /api/v1/referrals with varied ZIPs and languages.
--   wrk -t2 -c24 -d20s -s bench/intake.lua http://127.0.0.1:PORT/api/v1/referrals -- PAIRS
-- PAIRS is a file of "zip language" lines; FIRST (optional) the first phone counter, so the
-- measured run does not reuse the warm-up's phones (still open: one open request per phone). The request's send time (wall clock, seconds)
-- goes into last_name ("T<epoch>") so the bench can read it back next to Offer.offered_at.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function wall()
  ffi.C.clock_gettime(0, ts) -- CLOCK_REALTIME, the clock Python's time.time() reads
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

local places = {}
-- One open request per phone: each request its own phone (10,000 per area code; the
-- threads start 7919 apart).
local area_codes = { "608", "414", "262", "715", "920" }
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  for line in io.lines(args[1]) do
    local zip, language = line:match("^(%S+) (%S+)$")
    if zip then table.insert(places, { zip, language }) end
  end
  counter = (offset or 0) + (tonumber(args[2]) or 0)
end

function request()
  counter = counter + 1
  local place = places[counter % #places + 1]
  local body = string.format(
    '{"first_name":"Bench","last_name":"T%.6f","phone":"%s-555-%04d",' ..
    '"email":"consumer@example.com","zip":"%s","language":"%s","consent":true}',
    wall(), area_codes[math.floor(counter / 10000) % #area_codes + 1], counter % 10000,
    place[1], place[2])
  return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
