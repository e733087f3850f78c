#!/usr/bin/env python3
"""quiz_check.py MMKIT KIND [SEEDS] - the answers `mmkit quiz KIND --json`
gives (the simulator's own run) for seeds 1..SEEDS (default 100), each
worked again here by a small model written from the textbook's rules, not
from the simulator's code; and the same seed sets the same exercise.
"""
import json
import re
import subprocess
import sys

MMKIT, KIND = sys.argv[1], sys.argv[2]
SEEDS = int(sys.argv[3]) if len(sys.argv) > 3 else 100


def quiz(seed):
    out = subprocess.run([MMKIT, "quiz", KIND, "--seed", str(seed), "--json"], check=True,
                         capture_output=True, text=True).stdout
    return out, json.loads(out)


def settings(q):
    found = {}
    for key, value in q["settings"]:
        found.setdefault(key, []).append(value)
    return found


def number(text):
    return int(text, 0)


def addresses(q):
    return [int(a, 0) for a in q["input"].split(",")]


def translations(q):
    """(physical address or None for a fault) of each step of the answer."""
    return [s.get("physical") if "protection_fault" not in s else None
            for s in q["answers"]["steps"] if "reference" in s]


def relocation(q):
    s = settings(q)
    base, bounds = number(s["base"][0]), number(s["bounds"][0])
    return [base + va if va < bounds else None for va in addresses(q)]


def segmentation(q):
    s = settings(q)
    bits = int(s["address-bits"][0])
    size, half = 1 << bits, 1 << (bits - 1)
    up, down = (v.split() for v in s["segment"])
    limit0, phys0 = number(up[2]), number(up[4])
    limit1, top1 = number(down[2]), number(down[4])
    out = []
    for va in addresses(q):
        if va < half:  # segment 0, growing up from 0
            out.append(phys0 + va if va < limit0 else None)
        else:  # segment 1, growing down from the top: a negative offset
            back = size - va
            out.append(top1 - back if back <= limit1 else None)
    return out


def paging(q):
    s = settings(q)
    page = number(s["page-size"][0])
    table = [number(e) for line in s["page-table"] for e in line.split()]
    out = []
    for va in addresses(q):
        entry = table[va // page]
        out.append((entry & 0x7FFFFFFF) * page + va % page if entry >> 31 else None)
    return out


def memory_of(q):
    memory = {}
    for line in q["memory_image"].splitlines():
        head, data = line.split(":")
        page = int(head.split()[1])
        for i in range(0, len(data.strip()), 2):
            memory[page * 32 + i // 2] = int(data.strip()[i:i + 2], 16)
    return memory


def multilevel(q):
    s = settings(q)
    memory, pdbr = memory_of(q), int(s["pdbr"][0])
    out = []
    for va in addresses(q):
        pde = memory[pdbr * 32 + (va >> 10)]
        if not pde >> 7:
            out.append(None)
            continue
        pte = memory[(pde & 0x7F) * 32 + ((va >> 5) & 31)]
        out.append((pte & 0x7F) * 32 + (va & 31) if pte >> 7 else None)
    return out


def multilevel_values(q):
    memory = memory_of(q)
    mine = [memory[pa] if pa is not None else None for pa in multilevel(q)]
    theirs = [s.get("value") for s in q["answers"]["steps"] if "reference" in s]
    return mine, theirs


def tlb(q):
    """(TLB hit, page fault) of each reference: a 4-entry LRU TLB, demand
    paging into plenty of frames."""
    cached, seen, out = [], set(), []
    for va in addresses(q):
        vpn = va >> 8
        hit = vpn in cached
        if hit:
            cached.remove(vpn)
        elif len(cached) == 4:
            cached.pop(0)
        cached.append(vpn)
        out.append((hit, vpn not in seen))
        seen.add(vpn)
    return out


def tlb_answers(q):
    return [(s["tlb"] == "hit", "page_fault" in s) for s in q["answers"]["steps"]
            if "reference" in s]


def replacement(q):
    """The page each reference evicts (None: a hit or a free frame) and
    whether it faulted, by the policy's textbook rule."""
    s = settings(q)
    frames, policy = int(s["frames"][0]), s["policy"][0]
    refs = [int(r) for r in q["input"].split(",")]
    resident = []        # fifo: load order; clock: the ring; lru/opt: any order
    referenced = {}      # clock's reference bits
    last_use, hand, out = {}, 0, []
    for now, page in enumerate(refs):
        if page in resident:
            referenced[page] = True
            last_use[page] = now
            out.append((False, None))
            continue
        victim = None
        if len(resident) < frames:
            resident.append(page)
        elif policy == "fifo":
            victim = resident.pop(0)
            resident.append(page)
        elif policy == "lru":
            victim = min(resident, key=lambda p: last_use[p])
            resident[resident.index(victim)] = page
        elif policy == "opt":
            def next_use(p):
                later = [t for t in range(now + 1, len(refs)) if refs[t] == p]
                return later[0] if later else float("inf")
            # ties: the first of the members, which the simulator keeps
            # as an unordered set (a removed member's place goes to the last)
            victim = max(resident, key=next_use)
            at = resident.index(victim)
            resident[at] = resident[-1]
            resident[-1] = page
        else:  # clock: second chance from the hand
            while referenced[resident[hand]]:
                referenced[resident[hand]] = False
                hand = (hand + 1) % frames
            victim = resident[hand]
            resident[hand] = page
            hand = (hand + 1) % frames
        referenced[page] = True
        last_use[page] = now
        out.append((True, victim))
    return out


def replacement_answers(q):
    out = []
    for s in q["answers"]["steps"]:
        if "reference" not in s:
            continue
        fault = s.get("page_fault")
        victim = fault["victim"]["page"] if fault and fault["victim"] else None
        out.append((fault is not None, victim))
    return out


def freespace(q):
    """Each operation's address (None: failed) and the free list after,
    as malloc.py works them: a list by address, first/best/worst fit,
    blocks split from the front of a hole, frees coalesced if asked."""
    s = settings(q)
    policy, coalesce = s["policy"][0], s["coalesce"][0] == "yes"
    holes = [[int(s["base"][0]), int(s["heap"][0])]]
    blocks, out = [], []
    for item in q["input"].split(","):
        if item[0] == "+":
            size = int(item[1:])
            fits = [h for h in holes if h[1] >= size]
            if not fits:
                blocks.append(None)
                out.append((None, [tuple(h) for h in holes]))
                continue
            if policy == "first":
                hole = fits[0]
            elif policy == "best":
                hole = min(fits, key=lambda h: h[1])
            else:
                hole = max(fits, key=lambda h: h[1])
            blocks.append((hole[0], size))
            address = hole[0]
            hole[0] += size
            hole[1] -= size
            if hole[1] == 0:
                holes.remove(hole)
            out.append((address, [tuple(h) for h in holes]))
        else:
            block = blocks[int(item[1:])]
            if block:
                holes.append(list(block))
                holes.sort()
                if coalesce:
                    merged = [holes[0]]
                    for h in holes[1:]:
                        if merged[-1][0] + merged[-1][1] == h[0]:
                            merged[-1][1] += h[1]
                        else:
                            merged.append(h)
                    holes = merged
            out.append((block[0] if block else None, [tuple(h) for h in holes]))
    return out


def freespace_answers(q):
    return [(op.get("address"), [tuple(h) for h in op["free_list"]])
            for op in q["answers"]["operations"]]


def cache(q):
    """(set, tag, hit) of each address: a cache of 16-byte lines, lru in each
    set, physical addresses the virtual ones."""
    name, size, ways, line, _ = settings(q)["cache"][0].split()
    size, ways, line = int(size), int(ways), int(line)
    sets = size // ways // line
    held = [[] for _ in range(sets)]  # each set's lines, least recently used first
    out = []
    for address in addresses(q):
        number = address // line
        ways_of_set = held[number % sets]
        hit = number in ways_of_set
        if hit:
            ways_of_set.remove(number)
        elif len(ways_of_set) == ways:
            ways_of_set.pop(0)
        ways_of_set.append(number)
        out.append((number % sets, number // sets, hit))
    return out


def cache_answers(q):
    out = []
    for s in q["answers"]["steps"]:
        if "reference" not in s:
            continue
        m = re.match(r"the access from (\S+) \(set (\d+), tag 0x([0-9a-f]+) in L1\)", s["caches"])
        out.append((int(m.group(2)), int(m.group(3), 16), m.group(1) == "L1"))
    return out


MODELS = {
    "relocation": (relocation, translations),
    "segmentation": (segmentation, translations),
    "paging": (paging, translations),
    "multilevel": (multilevel, translations),
    "tlb": (tlb, tlb_answers),
    "replacement": (replacement, replacement_answers),
    "freespace": (freespace, freespace_answers),
    "cache": (cache, cache_answers),
}


def main():
    model, answers = MODELS[KIND]
    failed = 0
    texts = set()
    for seed in range(1, SEEDS + 1):
        text, q = quiz(seed)
        texts.add(text)
        if quiz(seed)[0] != text:
            print(f"seed {seed}: the same seed set another exercise")
            failed += 1
        mine, theirs = model(q), answers(q)
        if KIND == "multilevel":
            mine, theirs = (mine, multilevel_values(q)[0]), (theirs, multilevel_values(q)[1])
        if mine != theirs:
            print(f"seed {seed}: the model says {mine}\n  the simulator says {theirs}\n"
                  f"  input {q['input']}, settings {q['settings']}")
            failed += 1
    if len(texts) < SEEDS * 9 // 10:
        print(f"only {len(texts)} different exercises in {SEEDS} seeds")
        failed += 1
    print(f"{KIND}: {SEEDS - failed} of {SEEDS} seeds answered as the model answers them")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
