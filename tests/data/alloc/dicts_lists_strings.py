"""A workload for the interpreter's allocator: dicts, lists, sets, strings
and objects built, changed and thrown away, with output that depends on
every step.  Deterministic: the same bytes on every run."""
import collections
import random

rng = random.Random(7)
words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 15)))
         for _ in range(20000)]

index = collections.defaultdict(list)
for i, w in enumerate(words):
    index[w[:2]].append((i, w))
print(len(index), sum(len(v) for v in index.values()))

counts = collections.Counter()
for round_ in range(15):
    text = " ".join(rng.choice(words) for _ in range(5000))
    counts.update(text.split())
    parts = [text[i:i + 97] for i in range(0, len(text), 97)]
    joined = "|".join(reversed(parts))
    counts[joined[:3]] += len(joined)
print(counts.most_common(10))


class Node:
    __slots__ = ("key", "children", "payload")

    def __init__(self, key):
        self.key = key
        self.children = {}
        self.payload = [key] * (len(key) % 5)


root = Node("")
for w in words:
    node = root
    for ch in w:
        node = node.children.setdefault(ch, Node(node.key + ch))


def walk(n, depth=0):
    total = len(n.payload) + depth
    for c in n.children.values():
        total += walk(c, depth + 1)
    return total


print(walk(root))

table = {}
for i in range(100000):
    table[f"k{i % 50000}-{i % 7}"] = [i, str(i) * (i % 4), {"n": i}]
    if i % 3 == 0:
        table.pop(f"k{(i * 7) % 50000}-{i % 7}", None)
print(len(table), sum(v[0] for v in table.values()) % 1000003)

big = [bytearray(rng.randint(1000, 300000)) for _ in range(200)]
for b in big:
    b[len(b) // 2] = 7
print(sum(len(b) for b in big), sum(b[len(b) // 2] for b in big))
s = set(words)
s.difference_update(w for w in words if len(w) % 3 == 0)
print(len(s), sorted(s)[:5], "".join(sorted(s))[-40:])
