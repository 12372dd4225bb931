-- wrk_advance.lua - durable transitions: claims and advances fresh jobs.
--
-- Every job is op0's (env QTM_TOKEN), ids 1..QTM_JOBS.  wrk thread t of
-- QTM_THREADS takes the jobs with id % QTM_THREADS == t - 1 and walks them
-- in rounds: claim every job of its share, then arrive on every one, then
-- start, then complete.  A job's next step is sent a whole round after its
-- previous one, so the 32 connections of a thread never race on one job.
-- Each request is one durable transition (one transaction with its audit
-- row); any answer but 200 counts as an error in wrk's report.
-- Several wrk processes on one database (bench/pg.sh, one per qtm serve)
-- split the jobs: with QTM_PARTS=P and QTM_PART=p (0..P-1), this one takes
-- only the ids with (id - 1) % P == p (default: one part, every id).
local steps = {
  {"claim", nil}, {"advance", '{"event":"arrive"}'},
  {"advance", '{"event":"start"}'}, {"advance", '{"event":"complete"}'},
}
local counter = 1
local jobs = tonumber(os.getenv("QTM_JOBS"))
local nthreads = tonumber(os.getenv("QTM_THREADS"))
local token = os.getenv("QTM_TOKEN")
local parts = tonumber(os.getenv("QTM_PARTS") or "1")
local part = tonumber(os.getenv("QTM_PART") or "0")
local slice = math.floor((jobs - part - 1) / parts) + 1
local mine, share, n = 0, 0, 0
local warmed = false

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  mine = tid - 1
  share = math.floor((slice - mine - 1) / nthreads) + 1
end

function request()
  if not warmed then
    -- wrk may call request() once before the first real one (seen on
    -- thread 1): spend that call on a read, never on a job's step
    warmed = true
    return wrk.format("GET", "/healthz")
  end
  local round = math.floor(n / share) + 1
  local k = n % share
  n = n + 1
  if round > #steps then
    -- out of fresh jobs: read instead of failing (the report says how many)
    return wrk.format("GET", "/healthz")
  end
  local id = (k * nthreads + mine) * parts + part + 1
  local verb, body = steps[round][1], steps[round][2]
  local headers = {["Authorization"] = "Bearer " .. token}
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format("POST", "/api/jobs/" .. id .. "/" .. verb, headers, body)
end

function done(summary, latency, requests)
  local transitions = math.min(summary.requests, slice * #steps)
  local s = summary.duration / 1e6
  io.write(string.format("durable: %d transitions in %.1f s = %.0f/s (%d available)%s\n",
    transitions, s, transitions / s, slice * #steps,
    summary.requests > slice * #steps and "; ran out of jobs, the rest were reads" or ""))
end
