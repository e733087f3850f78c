"""The SQL that the sqlite3 workload runs: a small shop's database, built,
indexed, updated, queried and thinned out in memory.

SQLite allocates for every statement it prepares, every row it builds and
every sort it runs, so one script exercises an allocator the way a real
program does: many small blocks of many sizes, with a few large ones.  The
script is generated (deterministically, from a fixed seed) so that its size
follows the scale, and the rows inserted as literals make the parser work as
well as the storage engine.
"""

import random

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima "
         "mike november oscar papa quebec romeo sierra tango uniform victor whiskey "
         "xray yankee zulu").split()

LITERAL_ROWS = 40000
GENERATED_ROWS = 150000


def _text(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words))


def write(path, scale):
    """Writes the script for this scale to path."""
    rng = random.Random(20240601)
    literal_rows = max(100, int(LITERAL_ROWS * scale))
    generated_rows = max(100, int(GENERATED_ROWS * scale))
    with open(path, "w", encoding="ascii") as out:
        out.write("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, body TEXT,"
                  " price REAL, tag INTEGER);\n")
        out.write("CREATE TABLE sale(item INTEGER, amount INTEGER, note TEXT);\n")
        out.write("BEGIN;\n")
        for _ in range(literal_rows):
            out.write("INSERT INTO item(name, body, price, tag) VALUES ('%s', '%s', %.2f, %d);\n"
                      % (_text(rng, rng.randint(1, 3)), _text(rng, rng.randint(2, 40)),
                         rng.uniform(0.5, 500.0), rng.randrange(100)))
        out.write("COMMIT;\n")
        out.write(f"""
INSERT INTO sale(item, amount, note)
  WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {generated_rows})
  SELECT 1 + (x * 7919) % {literal_rows}, x % 17 + 1, printf('%.*c', x % 90, 'n') FROM n;
CREATE INDEX item_by_tag ON item(tag, price);
CREATE INDEX sale_by_item ON sale(item);
UPDATE item SET body = body || ' ' || name WHERE tag % 5 = 0;
SELECT tag, count(*), sum(length(body)), round(avg(price), 2) FROM item
  GROUP BY tag ORDER BY sum(length(body)) DESC LIMIT 5;
SELECT i.name, sum(s.amount) AS units FROM sale s JOIN item i ON i.id = s.item
  GROUP BY i.name ORDER BY units DESC, i.name LIMIT 5;
SELECT length(group_concat(body, '|')) FROM (SELECT body FROM item ORDER BY body, id);
DELETE FROM sale WHERE amount % 3 = 0;
DELETE FROM item WHERE id % 4 = 0;
SELECT count(*), sum(length(note)) FROM sale;
SELECT count(*), sum(length(body)), round(total(price), 2) FROM item;
""")


if __name__ == "__main__":
    # `python3 bench/sqlite_script.py [SCALE]` prints the script, to rerun
    # one measurement by hand.
    import sys
    write("/dev/stdout", float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
