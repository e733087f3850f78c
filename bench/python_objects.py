"""The python3 workload: an interpreter building, transforming and dropping
many small objects, as a data-munging script does.

The runner starts it with PYTHONMALLOC=malloc, so every object the
interpreter creates comes from the preloaded allocator instead of Python's
own small-object pools.  It prints a digest of its results, which must be the
same under every allocator.

usage: python3 python_objects.py [SCALE]
"""

import hashlib
import json
import random
import sys

RECORDS = 10000


def make_records(rng, count):
    return [{"id": i, "name": "user%05d" % rng.randrange(100000),
             "tags": [rng.choice("abcdefgh") * rng.randint(1, 12) for _ in range(rng.randint(0, 6))],
             "score": rng.random(), "parts": tuple(rng.randrange(1000) for _ in range(4))}
            for i in range(count)]


def main():
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    rng = random.Random(7)
    digest = hashlib.sha256()
    for _ in range(3):
        records = make_records(rng, max(100, int(RECORDS * scale)))
        # Round trip through JSON: many short-lived strings, lists and dicts.
        records = json.loads(json.dumps(records))
        by_tag = {}
        for record in records:
            for tag in record["tags"]:
                by_tag.setdefault(tag, []).append(record["id"])
        records.sort(key=lambda r: (r["name"], -r["score"]))
        survivors = [r for r in records if r["id"] % 3]
        text = ",".join(r["name"] + ":" + "/".join(r["tags"]) for r in survivors)
        digest.update(text.encode())
        digest.update(repr(sorted((k, len(v)) for k, v in by_tag.items())).encode())
        del records, survivors, by_tag, text
    print("check=" + digest.hexdigest()[:16])


if __name__ == "__main__":
    main()
