#!/usr/bin/env python3
"""A real OData client (python-odata) against `odq serve`: it reads $metadata, then lists,
filters, orders, expands, counts and pages through the sample and must get what the
evaluator answers (`odq apply` over the same file).

Usage: real_client_check.py ODQ_BINARY DATA_FILE
"""
import json
import subprocess
import sys

from odata import ODataService


def odq_apply(odq, data, query):
    out = subprocess.run([odq, "apply", query, data], check=True, capture_output=True)
    return json.loads(out.stdout)["value"]


def main():
    odq, data = sys.argv[1], sys.argv[2]
    # A page size of 3 makes the client follow @odata.nextLink to read all eight sessions.
    server = subprocess.Popen(
        [odq, "serve", data, "--name", "uploadSessions", "--port", "0", "--page-size", "3", "--quiet"],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    passed, failed = 0, 0

    def check(name, got, want):
        nonlocal passed, failed
        if got == want:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name}: got {got!r}, want {want!r}")

    try:
        url = server.stdout.readline().decode().strip()
        service = ODataService(url, reflect_entities=True)
        check("the metadata names the entity set", sorted(service.entities.keys()), ["uploadSessions"])
        Session = service.entities["uploadSessions"]

        everything = service.query(Session).all()
        check("list pages through every session",
              [s.id for s in everything], [s["id"] for s in odq_apply(odq, data, "$select=id")])

        complete = service.query(Session).filter(Session.status == "complete").all()
        check("filter", [s.id for s in complete],
              [s["id"] for s in odq_apply(odq, data, "$filter=status eq 'complete'&$select=id")])

        newest = service.query(Session).order_by(Session.createdDateTime.desc()).all()
        check("order by", [s.id for s in newest],
              [s["id"] for s in odq_apply(odq, data, "$orderby=createdDateTime desc&$select=id")])

        expanded = service.query(Session).expand(Session.files).all()
        check("expand", [[f.id for f in s.files] for s in expanded],
              [[f["id"] for f in s["files"]] for s in odq_apply(odq, data, "$expand=files")])

        check("count", service.query(Session).filter(Session.isUploadDone == True).count(),  # noqa: E712
              len(odq_apply(odq, data, "$filter=isUploadDone eq true&$select=id")))

        first = everything[0]
        fetched = service.query(Session).get(first.id)
        check("get by key", (fetched.id, fetched.status), (first.id, first.status))

        top = service.query(Session).order_by(Session.id.asc()).limit(2).offset(1).all()
        check("top and skip", [s.id for s in top],
              [s["id"] for s in odq_apply(odq, data, "$orderby=id&$skip=1&$top=2&$select=id")])
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
