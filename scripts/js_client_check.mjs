// Two real JavaScript OData libraries against `odq serve`:
// - odata-query (a query-string builder used by React and Vue front ends): every query it
//   builds must be accepted and answered as the same logic computed here in plain
//   JavaScript over the file;
// - @odata/client (a V4 client): lists, filters, orders, pages, counts, reads by key and
//   expands through its own request API;
// - o.js (the `odata` package): queries with its options object (percent-encoded `%24`
//   option names), `/$count`, a single entity by key, `$metadata`.
// The expected answers are computed here from the JSON file, independently of the crate.
//
// Usage: node js_client_check.mjs ODQ_BINARY DATA_FILE   (run by scripts/real-clients.sh)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import buildQuery from "odata-query";
import { OData } from "@odata/client";
import { o } from "odata";

const [odq, dataFile] = process.argv.slice(2);
const sessions = JSON.parse(readFileSync(dataFile, "utf8")).value;
const ids = (records) => records.map((r) => r.id);
const instant = (text) => Date.parse(text);

let passed = 0;
let failed = 0;
function check(name, got, want) {
  const same = JSON.stringify(got) === JSON.stringify(want);
  if (same) {
    passed += 1;
    console.log(`ok   ${name}`);
  } else {
    failed += 1;
    console.log(`FAIL ${name}:\n  got  ${JSON.stringify(got)}\n  want ${JSON.stringify(want)}`);
  }
}

async function getJson(url) {
  const response = await fetch(url);
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status} for ${url}: ${text}`);
  return JSON.parse(text);
}

async function builderCases(base) {
  const set = `${base}/uploadSessions`;
  const cases = [
    ["equality", { filter: { status: "complete" }, select: ["id"] },
      sessions.filter((s) => s.status === "complete")],
    ["nested property", { filter: { "stats/filesUploaded": { gt: 1 } } },
      sessions.filter((s) => s.stats && s.stats.filesUploaded > 1)],
    ["date range from Date objects", {
      filter: { createdDateTime: { ge: new Date(Date.UTC(2025, 10, 3)), le: new Date(Date.UTC(2025, 10, 20)) } },
    }, sessions.filter((s) => instant(s.createdDateTime) >= Date.UTC(2025, 10, 3)
      && instant(s.createdDateTime) <= Date.UTC(2025, 10, 20))],
    ["any lambda", { filter: { files: { any: { size: { gt: 1000000 } } } } },
      sessions.filter((s) => (s.files || []).some((f) => f.size > 1000000))],
    ["empty any", { filter: { files: { any: {} } } },
      sessions.filter((s) => (s.files || []).length > 0)],
    ["all lambda", { filter: { files: { all: { size: { lt: 1000000 } } } } },
      sessions.filter((s) => (s.files || []).every((f) => f.size < 1000000))],
    ["in", { filter: { status: { in: ["complete", "failed"] } } },
      sessions.filter((s) => ["complete", "failed"].includes(s.status))],
    ["contains", { filter: { source: { contains: "Access" } } },
      sessions.filter((s) => typeof s.source === "string" && s.source.includes("Access"))],
    ["startswith", { filter: { source: { startswith: "Building" } } },
      sessions.filter((s) => typeof s.source === "string" && s.source.startsWith("Building"))],
    ["not", { filter: { not: { status: "complete" } } },
      sessions.filter((s) => !(s.status === "complete"))],
    ["or", { filter: { or: [{ status: "failed" }, { isUploadDone: false }] } },
      sessions.filter((s) => s.status === "failed" || s.isUploadDone === false)],
    ["implied and", { filter: [{ isUploadDone: true }, { "stats/filesUploaded": { ge: 2 } }] },
      sessions.filter((s) => s.isUploadDone === true && s.stats && s.stats.filesUploaded >= 2)],
    ["function on the left", { filter: { "tolower(status)": "complete" } },
      sessions.filter((s) => typeof s.status === "string" && s.status.toLowerCase() === "complete")],
    ["length", { filter: { "length(source)": { gt: 18 } } },
      sessions.filter((s) => typeof s.source === "string" && [...s.source].length > 18)],
    ["guid literal against a string", {
      filter: { id: { eq: { type: "guid", value: sessions[2].id } } },
    }, [sessions[2]]],
    ["eq null", { filter: { source: null } },
      sessions.filter((s) => s.source === null || s.source === undefined)],
    ["ne null", { filter: { source: { ne: null } } },
      sessions.filter((s) => s.source !== null && s.source !== undefined)],
  ];
  for (const [name, options, want] of cases) {
    const query = buildQuery(options);
    try {
      const body = await getJson(set + query);
      check(`odata-query ${name}: ${decodeURIComponent(query)}`, ids(body.value), ids(want));
    } catch (error) {
      check(`odata-query ${name}: ${decodeURIComponent(query)}`, String(error), ids(want));
    }
  }

  const byDate = [...sessions].sort((a, b) => instant(b.createdDateTime) - instant(a.createdDateTime));
  const paged = buildQuery({ orderBy: ["createdDateTime desc"], top: 3, skip: 2, count: true });
  const page = await getJson(set + paged);
  check(`odata-query order, page and count: ${decodeURIComponent(paged)}`,
    [ids(page.value), page["@odata.count"]], [ids(byDate.slice(2, 5)), sessions.length]);

  const countOnly = buildQuery({ count: { status: "complete" } });
  const counted = await (await fetch(set + countOnly)).text();
  check(`odata-query /$count: ${decodeURIComponent(countOnly)}`,
    Number(counted), sessions.filter((s) => s.status === "complete").length);

  const expand = buildQuery({
    expand: { files: { filter: { size: { gt: 500000 } }, orderBy: "size desc", top: 1, select: ["name"] } },
  });
  const expanded = await getJson(set + expand);
  check(`odata-query nested expand: ${decodeURIComponent(expand)}`,
    expanded.value.map((s) => s.files.map((f) => f.name)),
    sessions.map((s) => (s.files || []).filter((f) => f.size > 500000)
      .sort((a, b) => b.size - a.size).slice(0, 1).map((f) => f.name)));

  const grouped = buildQuery({
    transform: { groupBy: { properties: ["status"], transform: { aggregate: { id: { with: "countdistinct", as: "Total" } } } } },
  });
  const groups = await getJson(set + grouped);
  const wantGroups = {};
  for (const s of sessions) wantGroups[s.status] = (wantGroups[s.status] || 0) + 1;
  const gotGroups = {};
  for (const g of groups.value) gotGroups[g.status] = g.Total;
  check(`odata-query groupby: ${decodeURIComponent(grouped)}`, sortKeys(gotGroups), sortKeys(wantGroups));

  const key = buildQuery({ key: sessions[1].id, select: ["status"] });
  const single = await getJson(set + key);
  check(`odata-query key: ${decodeURIComponent(key)}`, single.status, sessions[1].status);
}

function sortKeys(object) {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));
}

async function clientCases(base) {
  const client = OData.New4({ serviceEndpoint: `${base}/` });
  const set = client.getEntitySet("uploadSessions");

  const all = await set.query();
  check("@odata/client list", ids(all), ids(sessions));

  const complete = await set.query(client.newFilter().property("status").eq("complete"));
  check("@odata/client filter", ids(complete), ids(sessions.filter((s) => s.status === "complete")));

  const params = client.newParam()
    .filter(client.newFilter().property("isUploadDone").eq(true))
    .orderby("createdDateTime", "desc")
    .top(2)
    .skip(1)
    .select(["id", "createdDateTime"]);
  const ordered = await set.query(params);
  check("@odata/client filter, order, skip, top, select", ids(ordered),
    ids(sessions.filter((s) => s.isUploadDone === true)
      .sort((a, b) => instant(b.createdDateTime) - instant(a.createdDateTime)).slice(1, 3)));

  const inList = await set.query(client.newFilter().fieldIn("status", ["complete", "failed"]));
  check("@odata/client fieldIn", ids(inList),
    ids(sessions.filter((s) => ["complete", "failed"].includes(s.status))));

  const count = await set.count(client.newFilter().property("status").eq("complete"));
  check("@odata/client count", count, sessions.filter((s) => s.status === "complete").length);

  const one = await set.retrieve(sessions[3].id);
  check("@odata/client retrieve by key", one.id, sessions[3].id);

  const withFiles = await set.query(client.newParam().expand("files").select(["id"]));
  check("@odata/client expand", withFiles.map((s) => (s.files || []).length),
    sessions.map((s) => (s.files || []).length));
}

async function ojsCases(base) {
  const complete = await o(base).get("uploadSessions")
    .query({ $filter: "status eq 'complete'", $select: "id,status", $top: 2 });
  check("o.js filter, select, top", ids(complete),
    ids(sessions.filter((s) => s.status === "complete").slice(0, 2)));

  const big = await o(base).get("uploadSessions").query({
    $filter: "files/any(f:f/size gt 1000000)", $orderby: "createdDateTime desc", $expand: "files($select=name)",
  });
  check("o.js lambda, order, expand", big.map((s) => [s.id, s.files.map((f) => f.name)]),
    sessions.filter((s) => (s.files || []).some((f) => f.size > 1000000))
      .sort((a, b) => instant(b.createdDateTime) - instant(a.createdDateTime))
      .map((s) => [s.id, s.files.map((f) => f.name)]));

  const count = await o(base).get("uploadSessions/$count").query({ $filter: "isUploadDone eq true" });
  check("o.js /$count", Number(count), sessions.filter((s) => s.isUploadDone === true).length);

  const one = await o(base).get(`uploadSessions('${sessions[4].id}')`).query({ $select: "status" });
  check("o.js entity by key", one.status, sessions[4].status);

  const metadata = await o(base).get("$metadata").fetch();
  check("o.js $metadata", [metadata.status, metadata.headers.get("content-type").split(";")[0]],
    [200, "application/xml"]);
}

async function main() {
  const server = spawn(odq, ["serve", dataFile, "--name", "uploadSessions", "--port", "0", "--quiet"],
    { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const lines = createInterface({ input: server.stdout });
    const base = (await lines[Symbol.asyncIterator]().next()).value.trim();
    await builderCases(base);
    await clientCases(base);
    await ojsCases(base);
  } finally {
    server.kill();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
