#!/usr/bin/env python3
"""edges.py MMKIT DATA_DIR STATIC_PROGRAM COMMAND - run every case of the
table for one `mmkit` command (sim, mrc, trace, run, freespace, quiz, maps, or the
front door: mmkit) and check what a careless user would meet: the exit status,
the first line of the message, that no input lost a byte and that a failed
run left no half-written file.

Statuses: 0 done, 1 an input or output failed, 2 the command line is wrong;
run, trace and maps -- PROGRAM exit with the program's own status.
"""
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

MMKIT, DATA, STATIC_PROGRAM, COMMAND = sys.argv[1:5]
BELADY = "1,2,3,4,1,2,5,1,2,3,4,5"


@dataclass
class Case:
    name: str
    args: list            # after `mmkit`; {w} is the work folder, {data} the data folder
    status: int
    first_line: str       # a regular expression the message's first line must match
    stream: str = "stderr"  # where the message is
    files: dict = field(default_factory=dict)  # made before the run: name -> bytes
    unchanged: tuple = ()  # inputs that must keep every byte
    absent: tuple = ()     # outputs a failed run must not leave
    env: dict = field(default_factory=dict)
    also: str = None       # a regular expression some line of the message must match


def lackey(lines):
    return "".join(f" L {0x1000 * (i + 1):x},8\n" for i in range(lines)).encode()


HEADER_ONLY_MMT = b"MMKTRACE" + (1).to_bytes(4, "little") + (1).to_bytes(4, "little")


def mmt(records, processes=1):
    """A binary trace of (address, size, process) loads."""
    words = b"".join((address | 1 << 48 | size << 50 | pid << 60).to_bytes(8, "little")
                     for address, size, pid in records)
    return b"MMKTRACE" + (1).to_bytes(4, "little") + processes.to_bytes(4, "little") + words


GOOD_LOADS = [(0x1000 * (i + 1), 8, 0) for i in range(5)]
# Each bad binary trace read by the commands that read whole batches of
# records (sim) and that decode words in place (mrc).
BAD_MMT = [
    ("a size of 0 is named", "zero.mmt", mmt(GOOD_LOADS + [(0x9000, 0, 0)]),
     r"record near 6 has size 0"),
    ("a process beyond the header's count is named", "pid.mmt",
     mmt(GOOD_LOADS + [(0x9000, 8, 2)], processes=2), r"record near 6 has a process beyond"),
    ("a file ending inside a record is named", "cut.mmt", mmt(GOOD_LOADS)[:-3],
     r"the file ends inside record 5"),
]

SIM = [
    *(Case(f"sim: {what}", ["sim", "{w}/" + name], 1, rf"mmkit: .*/{name}: record: {message}",
           files={name: data}) for what, name, data, message in BAD_MMT),
    Case("a missing trace is named", ["sim", "{w}/none.lackey"], 1,
         r"mmkit: .*/none\.lackey: No such file or directory"),
    Case("a directory is not read as a trace", ["sim", "{w}"], 1,
         r"mmkit: .*: is a directory, not a file"),
    Case("a garbage line names file, line and field", ["sim", "{w}/bad.lackey"], 1,
         r"mmkit: .*/bad\.lackey:2: address: expected a hexadecimal address",
         files={"bad.lackey": b"I  0401,3\n L zz,8\n"}),
    Case("a binary file is not a trace", ["sim", "{w}/binary.dat"], 1,
         r"mmkit: .*/binary\.dat:1: ", files={"binary.dat": bytes(range(256)) * 4}),
    Case("an empty trace has no references", ["sim", "{w}/empty.lackey"], 1,
         r"mmkit: .*/empty\.lackey: no references$", files={"empty.lackey": b""}),
    Case("a header-only binary trace has no references", ["sim", "{w}/header.mmt"], 1,
         r"mmkit: .*/header\.mmt: no references$", files={"header.mmt": HEADER_ONLY_MMT}),
    Case("a 10-byte binary trace is truncated", ["sim", "{w}/short.mmt"], 1,
         r"mmkit: .*/short\.mmt: truncated: 10 bytes", files={"short.mmt": HEADER_ONLY_MMT[:10]}),
    Case("a truncated compressed trace is an error", ["sim", "{w}/cut.lackey.xz"], 1,
         r"mmkit: .*/cut\.lackey\.xz: ",
         files={"cut.lackey.xz": open(os.path.join(DATA, "sort.lackey.xz"), "rb").read()[:4000]}),
    Case("every line skipped leaves no references", ["sim", "--skip-bad", "{w}/junk.lackey"], 1,
         r"mmkit: .*/junk\.lackey: no references \(every line was skipped",
         files={"junk.lackey": b"junk\nmore junk\n"}),
    Case("an empty machine file is refused", ["sim", "--refs", "1", "--machine", "{w}/empty.m"], 1,
         r"mmkit: .*/empty\.m: no settings", files={"empty.m": b""}),
    Case("a bad machine file is an input error", ["sim", "--refs", "1", "--machine", "{w}/bad.m"], 1,
         r"mmkit: .*/bad\.m:2: page-size: invalid value 'lots'",
         files={"bad.m": b"frames = 4\npage-size = lots\n"}),
    Case("an unknown preset or file is named", ["sim", "--refs", "1", "--machine", "vax"], 1,
         r"mmkit: vax: No such file or directory \(and no preset has that name"),
    Case("a bad flag value is a usage error", ["sim", "--refs", "1", "--frames", "abc"], 2,
         r"mmkit: --frames: invalid value 'abc'"),
    Case("--memory 0 is refused, not 256 frames", ["sim", "--refs", "1", "--memory", "0"], 2,
         r"mmkit: --memory: invalid value '0' \(a size above 0"),
    Case("memory below one page is refused", ["sim", "--refs", "1", "--memory", "100"], 2,
         r"mmkit: --memory: 100 bytes do not hold one 4096-byte page"),
    Case("--tlb-ways 0 is refused", ["sim", "--refs", "1", "--tlb-entries", "8", "--tlb-ways", "0"],
         2, r"mmkit: --tlb-ways: invalid value '0' \(from 1 to the number of TLB entries\)"),
    Case("more ways than entries is refused",
         ["sim", "--refs", "1", "--tlb-entries", "8", "--tlb-ways", "16"], 2,
         r"mmkit: --tlb-ways: 16 ways in a TLB of 8 entries: at most 8"),
    Case("an empty reference is refused", ["sim", "--refs", "1,,2"], 2,
         r"mmkit: --refs: item 2: empty"),
    Case("a trailing comma is refused", ["sim", "--refs", "1,2,"], 2,
         r"mmkit: --refs: item 3: empty \(a comma at the end\)"),
    Case("a time needs a unit", ["sim", "--refs", "1", "--cost-fault", "5"], 2,
         r"mmkit: --cost-fault: invalid value '5' \(a time with its unit"),
    Case("a page that leaves no page-number bits says the largest page there is room for",
         ["sim", "--refs", "1", "--address-bits", "7", "--page-size", "128"], 2,
         r"mmkit: --address-bits: 7-bit addresses leave no page-number bits with 128-byte pages "
         r"\(a page of at most 2\^6 bytes\)$"),
    Case("more than 64 address bits says the limit",
         ["sim", "--refs", "1", "--address-bits", "65"], 2,
         r"mmkit: --address-bits: invalid value '65' \(1 to 64\)$"),
    Case("a page size not a power of two says so", ["sim", "--refs", "1", "--page-size", "3000"], 2,
         r"mmkit: --page-size: 3000 is not a power of two"),
    Case("an unknown policy is refused", ["sim", "--refs", "1", "--policy", "best"], 2,
         r"mmkit: --policy: invalid value 'best'"),
    Case("an unknown flag in last position is unknown, with the nearest",
         ["sim", "--refs", "1", "--jsn"], 2,
         r"mmkit: sim: unknown option '--jsn' \(did you mean --json\?\)"),
    Case("a misspelt setting names the setting", ["sim", "--refs", "1", "--frame", "3"], 2,
         r"mmkit: sim: unknown option '--frame' \(did you mean --frames\?\)"),
    Case("a flag with no value says so", ["sim", "--refs", "1", "--frames"], 2,
         r"mmkit: sim: --frames needs a value"),
    Case("no input is a usage error", ["sim", "--frames", "3"], 2,
         r"mmkit: give traces, --refs or --addrs"),
    Case("a machine too large for this computer says what fits",
         ["sim", "--refs", "1", "--frames", "4000000000"], 1,
         r"mmkit: frames: 4000000000 frames need at least [0-9.]+ GiB .* at most about \d+ frames"),
    Case("the drawing may not overwrite the trace",
         ["sim", "{w}/t.lackey", "--svg", "{w}/t.lackey"], 1,
         r"mmkit: .*/t\.lackey: this output is the input", files={"t.lackey": lackey(50)},
         unchanged=("t.lackey",)),
    Case("the drawing may not overwrite the machine file",
         ["sim", "--refs", "1", "--machine", "{w}/m", "--svg", "{w}/m"], 1,
         r"mmkit: .*/m: this output is the input", files={"m": b"frames = 4\n"},
         unchanged=("m",)),
    Case("a drawing into a missing folder is an output error",
         ["sim", "--refs", BELADY, "--svg", "{w}/no/such/folder/f.svg"], 1,
         r"mmkit: .*/f\.svg: cannot create it: No such file or directory"),
    Case("help answers", ["sim", "--help"], 0, r"usage: mmkit sim", stream="stdout"),
    Case("a good run reports", ["sim", "--refs", BELADY, "--frames", "3", "--policy", "fifo"], 0,
         r"machine: paging", stream="stdout"),
]

TRACE = [
    Case("convert onto its own input is refused", ["trace", "convert", "{w}/in.lackey", "{w}/in.lackey"],
         1, r"mmkit: .*/in\.lackey: this output is the input", files={"in.lackey": lackey(100)},
         unchanged=("in.lackey",)),
    Case("convert onto a link to its input is refused",
         ["trace", "convert", "{w}/in.lackey", "{w}/link.lackey"], 1,
         r"mmkit: .*/link\.lackey: this output is the input .*/in\.lackey",
         files={"in.lackey": lackey(100), "link.lackey": "->in.lackey"}, unchanged=("in.lackey",)),
    Case("a failed convert leaves no half file", ["trace", "convert", "{w}/garbage.lackey", "{w}/g.mmt"],
         1, r"mmkit: .*/garbage\.lackey:1: ", files={"garbage.lackey": b"garbage\n"},
         unchanged=("garbage.lackey",), absent=("g.mmt",)),
    Case("converting an empty trace is an error", ["trace", "convert", "{w}/empty.lackey", "{w}/e.mmt"],
         1, r"mmkit: .*/empty\.lackey: no references", files={"empty.lackey": b""}, absent=("e.mmt",)),
    Case("convert writes the binary trace", ["trace", "convert", "{w}/in.lackey", "{w}/in.mmt"], 0,
         r"mmkit: 100 records written to .*/in\.mmt", files={"in.lackey": lackey(100)}),
    Case("convert answers --help", ["trace", "convert", "--help"], 0, r"usage: mmkit trace",
         stream="stdout"),
    Case("convert from standard input needs an output name", ["trace", "convert", "-"], 2,
         r"mmkit: trace convert: name the output when reading standard input"),
    Case("the picture may not overwrite its allocation trace",
         ["trace", "--dump", "--svg", "{w}/p.mmat", "{w}/p.mmat"], 1,
         r"mmkit: .*/p\.mmat: this output is the input", files={"p.mmat": "alloc-trace"},
         unchanged=("p.mmat",)),
    Case("--dump answers --help", ["trace", "--dump", "--help"], 0, r"usage: mmkit trace",
         stream="stdout"),
    Case("the flame graph may not overwrite its allocation trace",
         ["trace", "--dump", "--flame", "{w}/p.mmat", "{w}/p.mmat"], 1,
         r"mmkit: .*/p\.mmat: this output is the input", files={"p.mmat": "alloc-trace"},
         unchanged=("p.mmat",)),
    Case("the heap chart may not overwrite a link to its trace",
         ["trace", "--dump", "--summary", "--heap", "{w}/link.svg", "{w}/p.mmat"], 1,
         r"mmkit: .*/link\.svg: this output is the input .*/p\.mmat",
         files={"p.mmat": "alloc-trace", "link.svg": "->p.mmat"}, unchanged=("p.mmat",)),
    Case("a damaged trace gets no summary and leaves no picture",
         ["trace", "--dump", "--summary", "--folded", "{w}/f.txt", "--flame", "{w}/f.svg",
          "{w}/cut.mmat"], 1, r"mmkit: .*/cut\.mmat: offset 40: truncated record",
         files={"cut.mmat": b"mmkitAT\n\x02\x00\x28" + bytes(29) + b"\x16\x00"},
         absent=("f.txt", "f.svg")),
    Case("a file of another kind gets no summary", ["trace", "--dump", "--summary", "{w}/x.txt"],
         1, r"mmkit: .*/x\.txt: not an mmkit allocation trace", files={"x.txt": b"hello\n"}),
    Case("--summary of a real trace answers", ["trace", "--dump", "--summary", "{w}/p.mmat"], 0,
         r"heap profile of .*/p\.mmat \(process \d+\)", stream="stdout",
         files={"p.mmat": "alloc-trace"}),
    Case("--top without --summary or --heap is refused",
         ["trace", "--dump", "--top", "5", "--flame", "{w}/f.svg", "{w}/p.mmat"], 2,
         r"mmkit: trace --dump: --top counts the sites of --summary and --heap; give one"),
    Case("--top 0 is refused", ["trace", "--dump", "--summary", "--top", "0", "{w}/p.mmat"], 2,
         r"mmkit: trace --dump: --top: invalid value '0' \(a count from 1 to 100\)"),
    Case("--top needs a number", ["trace", "--dump", "--summary", "--top", "many", "{w}/p.mmat"],
         2, r"mmkit: trace --dump: --top: invalid value 'many'"),
    Case("--json prints records or the summary, not pictures",
         ["trace", "--dump", "--json", "--flame", "{w}/f.svg", "{w}/p.mmat"], 2,
         r"mmkit: trace --dump: --json and --flame exclude each other"),
    Case("two pictures into one file are refused",
         ["trace", "--dump", "--flame", "{w}/f.svg", "--heap", "{w}/f.svg", "{w}/p.mmat"], 2,
         r"mmkit: trace --dump: --flame and --heap both write '.*/f\.svg'"),
    Case("the summary and a picture both on standard output are refused",
         ["trace", "--dump", "--summary", "--folded", "-", "{w}/p.mmat"], 2,
         r"mmkit: trace --dump: --summary and --folded both write to standard output"),
    Case("--flame needs a file", ["trace", "--dump", "{w}/p.mmat", "--flame"], 2,
         r"mmkit: trace --dump: --flame needs a value"),
    Case("a misspelt --summary names the nearest",
         ["trace", "--dump", "--sumary", "{w}/p.mmat"], 2,
         r"mmkit: trace --dump: unknown option '--sumary' \(did you mean --summary\?\)"),
    Case("a flame graph into a missing folder fails before the trace is read",
         ["trace", "--dump", "--flame", "{w}/no/dir/f.svg", "{w}/p.mmat"], 1,
         r"mmkit: .*/f\.svg: cannot create it: No such file or directory",
         files={"p.mmat": "alloc-trace"}),
    Case("--alloc answers --help", ["trace", "--alloc", "--help"], 0, r"usage: mmkit trace",
         stream="stdout"),
    Case("--dump: an unknown flag names the nearest", ["trace", "--dump", "--jsn", "{w}/p.mmat"], 2,
         r"mmkit: trace --dump: unknown option '--jsn' \(did you mean --json\?\)"),
    Case("--dump: -o is not one of its options", ["trace", "--dump", "-o", "x", "{w}/p.mmat"], 2,
         r"mmkit: trace --dump: unknown option '-o'"),
    Case("a trace into a missing folder fails before the program runs",
         ["trace", "-o", "{w}/no/dir/t.lackey", "--", "true"], 1,
         r"mmkit: .*/no/dir/t\.lackey: cannot create it: No such file or directory"),
    Case("a failing program's status is trace's status", ["trace", "-o", "{w}/f.lackey", "--", "false"],
         1, r"mmkit: trace written to .*/f\.lackey"),
    Case("exit 7 is passed through", ["trace", "-o", "{w}/s.lackey", "--", "sh", "-c", "exit 7"], 7,
         r"mmkit: trace written to .*/s\.lackey"),
    Case("a missing program is 127, and no trace is left",
         ["trace", "-o", "{w}/m.lackey", "--", "{w}/no-such-program"], 127,
         r"valgrind: .*no-such-program: No such file or directory", absent=("m.lackey",)),
    Case("--alloc passes the status through", ["trace", "--alloc", "-o", "{w}/a.mmat", "--", "sh", "-c",
                                               "exit 7"], 7,
         r"mmkit: allocation trace written to .*/a\.mmat"),
    Case("--alloc into a missing folder says so before running",
         ["trace", "--alloc", "-o", "{w}/no/dir/a.mmat", "--", "true"], 1,
         r"mmkit: trace --alloc: cannot write .*/no/dir/a\.mmat: .*/no/dir: No such file or directory"),
    Case("--alloc refuses a statically linked program",
         ["trace", "--alloc", "-o", "{w}/s.mmat", "--", STATIC_PROGRAM], 1,
         r"mmkit: trace --alloc: .* is statically linked", absent=("s.mmat",)),
    Case("no program is a usage error", ["trace", "--"], 2, r"mmkit: trace: name a program after '--'"),
    Case("help answers", ["trace", "--help"], 0, r"usage: mmkit trace", stream="stdout"),
]

RUN = [
    Case("the program's status is run's", ["run", "--", "sh", "-c", "exit 7"], 7, r"^$"),
    Case("a statically linked program is warned about", ["run", "--", STATIC_PROGRAM], 0,
         r"mmkit: run: warning: .* is statically linked: libmmkit cannot be preloaded into it"),
    Case("an unknown mode is refused", ["run", "--mode=paranoid", "--", "true"], 2,
         r"mmkit: run: unknown mode 'paranoid'"),
    Case("an unknown option is refused", ["run", "--stat", "--", "true"], 2,
         r"mmkit: run: unknown option '--stat'"),
    Case("no program is a usage error", ["run"], 2, r"mmkit: run: no program given"),
    Case("a missing program is 127", ["run", "--", "{w}/no-such-program"], 127,
         r"mmkit: run: cannot run '.*no-such-program': No such file or directory"),
    Case("the limit says that it refused", ["run", "--", "sh", "-c", "echo hi"], None,
         r"mmkit: limit=1048576 reached: ", env={"MMKIT_OPTIONS": "limit=1M"}),
    Case("verbose prints the options in effect", ["run", "--mode=debug", "--", "true"], 0,
         r"mmkit: ", env={"MMKIT_OPTIONS": "verbose=1"}, also=r"^mmkit: option leaks=1$"),
    Case("text statistics call big blocks large, as JSON does",
         ["run", "--stats", "--", "true"], 0, r"mmkit statistics", also=r"^\s+large\s"),
    Case("statistics reach a program that closes its stderr at exit", ["run", "--stats", "--", "ls", "/"],
         0, r"^mmkit statistics of process \d+ \(ls\)$"),
    Case("--log-file takes what libmmkit prints off stderr",
         ["run", "--stats", "--log-file={w}/mmkit.%p.log", "--", "true"], 0, r"^$"),
    Case("--log-file refuses a ',', which MMKIT_OPTIONS cannot carry",
         ["run", "--log-file", "{w}/a,b", "--", "true"], 2,
         r"mmkit: run: the file name '.*/a,b' has a ',', which MMKIT_OPTIONS cannot carry"),
    Case("--log-file needs a file name", ["run", "--log-file=", "--", "true"], 2,
         r"mmkit: run: --log-file needs a file name"),
    Case("--error-exitcode is the status after a reported error",
         ["run", "--mode=hardened", "--options", "abort_on_error=0", "--error-exitcode=9", "--",
          "python3", "-c", "import ctypes; c = ctypes.CDLL(None); c.malloc.restype = ctypes.c_void_p; "
          "p = ctypes.c_void_p(c.malloc(24)); c.free(p); c.free(p)"], 9,
         r"^==\d+== mmkit: error: double free of 0x", also=r"^  in process \d+ \(python[\d.]*\)$"),
    Case("--error-exitcode leaves a clean run's status", ["run", "--error-exitcode", "9", "--", "true"],
         0, r"^$"),
    Case("--error-exitcode beyond 255 is refused", ["run", "--error-exitcode=256", "--", "true"], 2,
         r"mmkit: run: --error-exitcode: invalid value '256' \(a status from 0 to 255\)"),
    Case("children print their own statistics", ["run", "--stats", "--", "sh", "-c", "ls / >/dev/null"],
         0, r"^mmkit statistics of process \d+ \(ls\)$"),
    Case("--children=no keeps them off libmmkit",
         ["run", "--stats", "--children=no", "--", "sh", "-c", "ls / >/dev/null"], 0, r"^$"),
    Case("--children takes yes or no", ["run", "--children=maybe", "--", "true"], 2,
         r"mmkit: run: --children: invalid value 'maybe' \(yes or no\)"),
    Case("--stats-interval prints statistics while the program runs",
         ["run", "--stats-interval=100ms", "--", "python3", "-c",
          "import time\nt = time.time()\nwhile time.time() < t + 0.5: [bytearray(64) for _ in range(1000)]"],
         0, r"^mmkit statistics of process \d+ \(python[\d.]*\) at \d+\.\d s$"),
    Case("--stats-interval needs a unit", ["run", "--stats-interval=5", "--", "true"], 2,
         r"mmkit: run: --stats-interval: invalid value '5' \(a number and a unit: ms, s, m or h\)"),
    Case("--suppressions hides the error a rule names, and lists the rule",
         ["run", "--mode=hardened", "--options", "abort_on_error=0", "--error-exitcode=9",
          "--suppressions", "{w}/known.supp", "--",
          "python3", "-c", "import ctypes; c = ctypes.CDLL(None); c.malloc.restype = ctypes.c_void_p; "
          "p = ctypes.c_void_p(c.malloc(24)); c.free(p); c.free(p)"], 0,
         r"^==\d+== mmkit: suppressions used$", also=r"^\s+1\s+-\s+double_free:\*$",
         files={"known.supp": b"# the double free we know of\ndouble_free:*\n"}),
    Case("--suppressions names a file it cannot read",
         ["run", "--suppressions={w}/none.supp", "--", "true"], 1,
         r"^mmkit: run: --suppressions: cannot read '.*/none\.supp': No such file or directory$"),
    Case("--suppressions needs a file name", ["run", "--suppressions=", "--", "true"], 2,
         r"mmkit: run: --suppressions needs a file name"),
    Case("help answers", ["run", "--help"], 0, r"usage: mmkit run", stream="stdout"),
]

FREESPACE = [
    Case("a double free names the op and the block",
         ["freespace", "--ops", "+1,+2,+3,-2,+4,+5,-3,-2"], 1,
         r"^mmkit: op 8: -2: block 2 was already freed$"),
    Case("a free of a block never allocated says which exist", ["freespace", "--ops", "+1,+2,-3"],
         1, r"^mmkit: op 3: -3: block 3 was never allocated \(the allocations so far are 0 to 1\)$"),
    Case("a request for 0 bytes is refused", ["freespace", "--ops", "+5,+0"], 1,
         r"^mmkit: op 2: \+0: a request for 0 bytes"),
    Case("a request beyond the heap is refused", ["freespace", "--ops", "+200"], 1,
         r"^mmkit: op 1: \+200: 200 bytes do not fit in the 100-byte heap$"),
    Case("a request the header pushes beyond the heap says so",
         ["freespace", "--ops", "+98", "--header", "4"], 1,
         r"^mmkit: op 1: \+98: 98 bytes with the header and rounding do not fit"),
    Case("a malformed op is named", ["freespace", "--ops", "+10,x"], 1,
         r"^mmkit: op 2: x: expected \+SIZE to allocate or -INDEX to free$"),
    Case("a number too large is refused", ["freespace", "--ops", "+99999999999999999999999"], 1,
         r"^mmkit: op 1: \+99999999999999999999999: the number is too large$"),
    Case("an empty op is refused, not skipped", ["freespace", "--ops", "+10,,-0"], 1,
         r"^mmkit: op 2: empty \(a comma with nothing before it\)$"),
    Case("no operations is an input error", ["freespace", "--ops", ""], 1,
         r"^mmkit: --ops: no operations$"),
    Case("a refused op prints nothing on the standard output",
         ["freespace", "--explain", "--ops", "+10,-0,-0"], 1, r"^$", stream="stdout"),
    Case("no --ops is a usage error", ["freespace", "--policy", "first"], 2,
         r"^mmkit: freespace: give the operations with --ops"),
    Case("an argument that is no option is refused", ["freespace", "{w}/prog.mmat"], 2,
         r"^mmkit: freespace: unexpected argument '.*/prog\.mmat'"),
    Case("an unknown flag names the nearest", ["freespace", "--ops", "+1", "--polcy", "first"], 2,
         r"^mmkit: freespace: unknown option '--polcy' \(did you mean --policy\?\)$"),
    Case("a flag with no value says so", ["freespace", "--ops"], 2,
         r"^mmkit: freespace: --ops needs a value"),
    Case("an unknown policy lists the policies", ["freespace", "--ops", "+1", "--policy", "bud"],
         2, r"^mmkit: --policy: invalid value 'bud' \(first, best, worst, next, segregated, tlsf, "
            r"buddy, slab or mmkit\)$"),
    Case("a page that is no power of two is refused",
         ["freespace", "--ops", "+1", "--policy", "slab", "--page", "48"], 2,
         r"^mmkit: --page: invalid value '48' \(a power of two"),
    Case("an unknown order lists the orders", ["freespace", "--ops", "+1", "--order", "random"], 2,
         r"^mmkit: --order: invalid value 'random' \(addr, size-up, size-down, front or back\)$"),
    Case("a file that is no trace is named, exit 1", ["freespace", "--trace", "{w}/x.txt"], 1,
         r"^mmkit: .*/x\.txt: not an mmkit allocation trace", files={"x.txt": b"hello\n"}),
    Case("a missing trace is named", ["freespace", "--trace", "{w}/none.mmat"], 1,
         r"^mmkit: .*/none\.mmat"),
    Case("a truncated trace names the file and the offset",
         ["freespace", "--trace", "{w}/cut.mmat", "--compare", "first,buddy"], 1,
         r"^mmkit: .*/cut\.mmat: offset 40: truncated record$",
         files={"cut.mmat": b"mmkitAT\n\x02\x00\x28" + bytes(29) + b"\x16\x00"}),
    Case("a truncated trace prints no table", ["freespace", "--trace", "{w}/cut.mmat"], 1, r"^$",
         stream="stdout",
         files={"cut.mmat": b"mmkitAT\n\x02\x00\x28" + bytes(29) + b"\x16\x00"}),
    # The bundled trace, a real program's: sanitizer builds, where this table
    # runs too, have no libmmkit to record one with.
    Case("a real trace replays on every policy",
         ["freespace", "--trace", "{data}/../freespace/sqlite-words.mmat", "--compare",
          "first,best,worst,next,segregated,tlsf,buddy,slab,mmkit"], 0,
         r"^heap: for the fits, grown from 64K as needed; for the others, \d+ bytes",
         stream="stdout"),
    Case("a trace's slab heap has pages of 4K, whatever the default heap's",
         ["freespace", "--trace", "{data}/../freespace/sqlite-words.mmat", "--policy", "slab"], 0,
         r"^heap: ", stream="stdout",
         also=r"^policy: slab: slab allocator, caches of 8 to 2048 bytes in slabs of one 4096-byte"),
    Case("the bundled trace replays with --compare",
         ["freespace", "--trace", "{data}/../freespace/sqlite-words.mmat", "--compare", "first,best"],
         0, r"^heap: for the fits, grown from 64K as needed, requests rounded up to a multiple of 16$",
         stream="stdout", also=r"^first +42504 +0 +182858 +213680 +1\.169 "),
    Case("--json gives a trace's totals as one document",
         ["freespace", "--trace", "{data}/../freespace/sqlite-words.mmat", "--json"], 0, r"^\{$",
         stream="stdout", also=r'^    "unmatched_frees": 0$'),
    Case("a fit's heap for a trace says that it grew",
         ["freespace", "--trace", "{data}/../freespace/sqlite-words.mmat", "--policy", "first"], 0,
         r"^heap: 283824 bytes at 65536, no headers, requests rounded up to a multiple of 16 "
         r"\(grown to that from 64K as the blocks needed\)$", stream="stdout",
         also=r"^  unmatched frees +0 "),
    Case("--trace and --ops do not go together",
         ["freespace", "--trace", "{w}/p.mmat", "--ops", "+1"], 2,
         r"^mmkit: freespace: choose one input: --ops, --trace, --jobs or --jobs-inline$"),
    Case("--explain tells one policy's replay, not a comparison's",
         ["freespace", "--trace", "{w}/p.mmat", "--explain", "--compare", "first,best"], 2,
         r"^mmkit: freespace: --explain tells one policy; leave it out of a comparison$"),
    Case("--colour-by takes size or call", ["freespace", "--ops", "+1", "--svg", "{w}/h.svg",
                                            "--colour-by", "site"], 2,
         r"^mmkit: --colour-by: invalid value 'site' \(size or call\)$"),
    Case("--colour-by colours a picture", ["freespace", "--ops", "+1", "--colour-by", "call"], 2,
         r"^mmkit: freespace: --colour-by colours the blocks of --svg, with --ops or --trace$"),
    Case("a trace without stacks has no call sites to colour by",
         ["freespace", "--trace", "{data}/../freespace/sqlite-words.mmat", "--svg", "{w}/h.svg",
          "--colour-by", "call"], 1,
         r"^mmkit: .*/sqlite-words\.mmat: the trace has no call stacks to colour by",
         absent=("h.svg",)),
    Case("a trace's picture is never written over the trace",
         ["freespace", "--trace", "{w}/p.mmat", "--svg", "{w}/p.mmat"], 1,
         r"^mmkit: .*/p\.mmat: this output is the input",
         files={"p.mmat": open(os.path.join(DATA, "../freespace/python-start.mmat"), "rb").read()},
         unchanged=("p.mmat",)),
    Case("--timing needs a trace", ["freespace", "--ops", "+1", "--timing"], 2,
         r"^mmkit: freespace: --timing times the replay of a --trace$"),
    Case("a heap of 0 bytes is refused", ["freespace", "--ops", "+1", "--heap", "0"], 2,
         r"^mmkit: --heap: invalid value '0' \(a size above 0"),
    Case("a heap past the last address is refused",
         ["freespace", "--ops", "+1", "--base", "0xffffffffffffff00", "--heap", "1K"], 2,
         r"^mmkit: --heap: a heap of 1024 bytes at 18446744073709551360 does not fit below 2\^64$"),
    Case("a header that fills the heap is refused", ["freespace", "--ops", "+1", "--header", "100"],
         2, r"^mmkit: --header: a 100-byte header leaves no room in a 100-byte heap$"),
    Case("the tree keeps address order only",
         ["freespace", "--ops", "+1", "--order", "size-up", "--structure", "tree"], 2,
         r"^mmkit: --structure: the tree keeps the free list in address order, not in order 'size-up'$"),
    Case("--explain and --json do not go together", ["freespace", "--ops", "+1", "--explain",
                                                     "--json"], 2,
         r"^mmkit: freespace: choose --explain or --json$"),
    Case("help answers", ["freespace", "--help"], 0, r"^usage: mmkit freespace", stream="stdout"),
    Case("a good run reports the totals", ["freespace", "--ops", "+10,+20,-0"], 0,
         r"^heap: 100 bytes at 1000, no headers, requests not rounded$", stream="stdout",
         also=r"^  fragmentation +1\.000  peak footprint / peak live bytes$"),
    Case("--explain answers as malloc.py's README does",
         ["freespace", "--ops", "+3,-0,+5,-1,+8", "--header", "4", "--align", "4", "--explain"], 0,
         r"^heap: 100 bytes at 1000, 4-byte headers", stream="stdout",
         also=r"^op 1: ptr\[0\] = alloc\(3\) returned 1004 \(block at 1000\), searched 1 hole$"),
    Case("--compare names a bad policy and exits 2",
         ["freespace", "--ops", "+1", "--compare", "first,bogus"], 2,
         r"^mmkit: --compare: 'bogus' is no policy \(first, best, worst, next, segregated, "
         r"tlsf, buddy, slab or mmkit\)$"),
    Case("--compare refuses an empty item", ["freespace", "--ops", "+1", "--compare", "first,"], 2,
         r"^mmkit: --compare: item 2: empty"),
    Case("--compare with a bad op exits 1 and draws nothing",
         ["freespace", "--ops", "+1,-1", "--compare", "first,buddy", "--svg", "{w}/heap.svg"], 1,
         r"^mmkit: op 2: -1: block 1 was never allocated", absent=("heap.svg",)),
    Case("--compare and --explain do not go together",
         ["freespace", "--ops", "+1", "--compare", "first", "--explain"], 2,
         r"^mmkit: freespace: --explain tells one policy"),
    Case("--compare prints one row per policy",
         ["freespace", "--ops", "+10,+20,-0,+5", "--compare",
          "first,best,worst,next,segregated,tlsf,buddy,slab,mmkit"], 0,
         r"^heap: 100 bytes at 1000", stream="stdout",
         also=r"^buddy +4 +0 +30 +80 +2\.667 "),
    Case("--compare --json is one document", ["freespace", "--ops", "+10", "--compare",
                                              "first,slab", "--json"], 0,
         r"^\{$", stream="stdout", also=r'"policy": "slab", "totals": \{'),
    Case("--svg into a folder that does not exist fails with exit 1",
         ["freespace", "--ops", "+10", "--compare", "first", "--svg", "{w}/none/heap.svg"], 1,
         r"^mmkit: .*none/heap\.svg"),
    Case("malloc.py's spellings are taken", ["freespace", "--ops", "+3", "--policy", "FIRST",
                                             "--order", "INSERT-BACK", "--json"], 0,
         r"^\{$", stream="stdout", also=r'"order": "back"'),
    # process jobs on partitioned memory
    Case("a bad jobs line names file, line and field",
         ["freespace", "--jobs", "{w}/jobs.txt", "--memory", "1000"], 1,
         r"^mmkit: .*/jobs\.txt:3: size: expected a size above 0, such as 100 or 64K; found 'x'$",
         files={"jobs.txt": b"# arrive size duration\n0 100 5\n1 x 3\n"}),
    Case("a jobs line with two fields says what it needs",
         ["freespace", "--jobs", "{w}/jobs.txt", "--memory", "1000"], 1,
         r"^mmkit: .*/jobs\.txt:1: expected three fields, 'arrive size duration'; found 2$",
         files={"jobs.txt": b"0 100\n"}),
    Case("jobs out of order of arrival are refused",
         ["freespace", "--jobs-inline", "5 100 1; 3 100 1", "--memory", "1000"], 1,
         r"^mmkit: --jobs-inline:2: arrive: 3 is before the job above"),
    Case("a job larger than memory is refused with its line",
         ["freespace", "--jobs-inline", "0 100 5; 1 2000 3", "--memory", "1000"], 1,
         r"^mmkit: --jobs-inline:2: size: 2000 bytes do not fit in the 1000-byte memory$"),
    Case("a job larger than every partition is refused",
         ["freespace", "--jobs-inline", "0 350 5", "--partitions", "100,200,300"], 1,
         r"^mmkit: --jobs-inline:1: size: 350 bytes do not fit in the largest partition"),
    Case("a missing jobs file is named", ["freespace", "--jobs", "{w}/none.txt", "--memory", "1K"],
         1, r"^mmkit: .*/none\.txt: No such file or directory$"),
    Case("an empty jobs file has no jobs", ["freespace", "--jobs", "{w}/empty.txt", "--memory",
                                            "1K"], 1,
         r"^mmkit: .*/empty\.txt: no jobs$", files={"empty.txt": b""}),
    Case("binary jobs are not text", ["freespace", "--jobs", "{w}/jobs.bin", "--memory", "1K"], 1,
         r"^mmkit: .*/jobs\.bin:1: ", files={"jobs.bin": bytes(range(256))}),
    Case("jobs without memory is a usage error", ["freespace", "--jobs-inline", "0 1 1"], 2,
         r"^mmkit: --memory: give the memory's size with --memory"),
    Case("--ops and --jobs do not go together",
         ["freespace", "--ops", "+1", "--jobs-inline", "0 1 1", "--memory", "1K"], 2,
         r"^mmkit: freespace: choose one input: --ops, --trace, --jobs or --jobs-inline$"),
    Case("a heap setting is refused with jobs",
         ["freespace", "--jobs-inline", "0 1 1", "--memory", "1K", "--header", "4"], 2,
         r"^mmkit: --header: applies to --ops, not to process jobs$"),
    Case("a partitioning setting is refused with --ops", ["freespace", "--ops", "+1", "--swap"], 2,
         r"^mmkit: --swap: applies to process jobs \(--jobs\), not to --ops$"),
    Case("unequal equal partitions are refused",
         ["freespace", "--jobs-inline", "0 1 1", "--memory", "1000", "--partitions", "3"], 2,
         r"^mmkit: --partitions: 1000 bytes do not divide into 3 equal partitions"),
    Case("fixed partitions do not compact",
         ["freespace", "--jobs-inline", "0 1 1", "--partitions", "100,200", "--compact"], 2,
         r"^mmkit: --compact: fixed partitions do not move"),
    Case("--compare is for operations, not jobs",
         ["freespace", "--jobs-inline", "0 100 5", "--memory", "1000", "--compare", "first,best",
          "--svg", "{w}/m.svg"], 2,
         r"^mmkit: freespace: --compare compares policies on --ops", absent=("m.svg",)),
    Case("the SVG is never written over the jobs file",
         ["freespace", "--jobs", "{w}/jobs.txt", "--memory", "1000", "--svg", "{w}/jobs.txt"], 1,
         r"^mmkit: .*/jobs\.txt: this output is the input", files={"jobs.txt": b"0 100 5\n"},
         unchanged=("jobs.txt",)),
    Case("bad jobs leave no SVG behind",
         ["freespace", "--jobs-inline", "0 100 5; 1 x 3", "--memory", "1000", "--svg",
          "{w}/m.svg"], 1, r"^mmkit: --jobs-inline:2: size: ", absent=("m.svg",)),
    Case("jobs on dynamic partitions report the totals",
         ["freespace", "--jobs-inline", "0 600 10; 1 500 2", "--memory", "1000", "--swap"], 0,
         r"^memory: 1000 bytes at 0, dynamic partitions, best fit, no compaction, swapping$",
         stream="stdout", also=r"^    swap traffic +1200  bytes written"),
    Case("--explain tells every tick",
         ["freespace", "--jobs", "{w}/jobs.txt", "--partitions", "100,200,300", "--explain"], 0,
         r"^memory: 600 bytes at 0, 3 fixed partitions \(100, 200, 300 bytes\), no swapping$",
         stream="stdout", files={"jobs.txt": b"0 150 5\n0 90 5\n"},
         also=r"^  job 1 starts in partition 2, \[100, 200\]: the smallest free one that holds "
              r"150 bytes \(50 unused\)"),
    Case("--json gives the jobs and the totals",
         ["freespace", "--jobs-inline", "0 300 10; 0 200 2; 0 300 10; 0 200 2; 3 350 4",
          "--memory", "1000", "--policy", "first", "--compact", "--json"], 0, r"^\{$",
         stream="stdout", also=r'^    "compaction_bytes": 300,$'),
    Case("--svg draws memory over time",
         ["freespace", "--jobs-inline", "0 100 5", "--memory", "1000", "--svg", "-"], 0,
         r"^<svg xmlns=", stream="stdout"),
]

MRC = [
    Case("a header-only binary trace has no references", ["mrc", "{w}/header.mmt"], 1,
         r"mmkit: .*/header\.mmt: no references$", files={"header.mmt": HEADER_ONLY_MMT}),
    *(Case(f"mrc: {what}", ["mrc", "{w}/" + name], 1, rf"mmkit: .*/{name}: record: {message}",
           files={name: data}) for what, name, data, message in BAD_MMT),
    Case("a missing trace is named", ["mrc", "{w}/none.lackey"], 1,
         r"mmkit: .*/none\.lackey: No such file or directory"),
    Case("an empty trace has no references", ["mrc", "{w}/empty.lackey"], 1,
         r"mmkit: .*/empty\.lackey: no references$", files={"empty.lackey": b""}),
    Case("a garbage line names file, line and field", ["mrc", "{w}/bad.lackey"], 1,
         r"mmkit: .*/bad\.lackey:2: address: expected a hexadecimal address",
         files={"bad.lackey": b"I  0401,3\n L zz,8\n"}),
    Case("a sample rate above 1 is a usage error", ["mrc", "--refs", BELADY, "--sample", "2"], 2,
         r"mmkit: --sample: '2' is not a rate above 0 and at most 1"),
    Case("a sample rate of 0 is a usage error", ["mrc", "--refs", BELADY, "--sample", "0"], 2,
         r"mmkit: --sample: '0' is not a rate above 0 and at most 1"),
    Case("a sample rate that is not a number is a usage error",
         ["mrc", "--refs", BELADY, "--sample", "1%"], 2, r"mmkit: --sample: '1%' is not a rate"),
    Case("a sample size of 0 is a usage error", ["mrc", "--refs", BELADY, "--sample-size", "0"], 2,
         r"mmkit: --sample-size: '0' is not a count of at least 1"),
    Case("--check needs a sample", ["mrc", "--refs", BELADY, "--check"], 2,
         r"mmkit: mrc: --check measures the LRU sample"),
    Case("an unknown curve is refused", ["mrc", "--refs", BELADY, "--curves", "best"], 2,
         r"mmkit: --curves: 'best' is not a policy"),
    Case("a reversed size range is refused", ["mrc", "--refs", BELADY, "--sizes", "8..2"], 2,
         r"mmkit: --sizes: '8\.\.2' is not a range"),
    Case("a size of 0 is refused", ["mrc", "--refs", BELADY, "--sizes", "0,4"], 2,
         r"mmkit: --sizes: '0' is not a count of at least 1"),
    Case("sim's --frames is refused", ["mrc", "--refs", BELADY, "--frames", "3"], 2,
         r"mmkit: mrc: --frames is sim's"),
    Case("sim's --sweep is refused", ["mrc", "--refs", BELADY, "--sweep", "frames=1..4"], 2,
         r"mmkit: mrc: --sweep is sim's"),
    Case("local allocation is refused", ["mrc", "--refs", BELADY, "--allocation", "local"], 2,
         r"mmkit: mrc: miss-ratio curves are for global allocation"),
    Case("a misspelt option names the nearest", ["mrc", "--refs", BELADY, "--sampel", "0.1"], 2,
         r"mmkit: mrc: unknown option '--sampel' \(did you mean --sample\?\)"),
    Case("no input is a usage error", ["mrc"], 2, r"mmkit: give traces, --refs or --addrs"),
    Case("the drawing may not overwrite the trace",
         ["mrc", "{w}/t.lackey", "--svg", "{w}/t.lackey"], 1,
         r"mmkit: .*/t\.lackey: this output is the input", files={"t.lackey": lackey(50)},
         unchanged=("t.lackey",)),
    Case("help answers", ["mrc", "--help"], 0, r"usage: mmkit mrc", stream="stdout"),
    Case("a good run reports", ["mrc", "--refs", BELADY, "--curves", "lru,opt"], 0,
         r"^lru: 12 page references, footprint 5 pages", stream="stdout"),
    Case("the drawing may go to standard output", ["mrc", "--refs", BELADY, "--svg", "-"], 0,
         r"^lru: ", stream="stdout", also=r"^<svg xmlns="),
]

FRONT_DOOR = [
    Case("--version prints the version", ["--version"], 0, r"^mmkit \d+\.\d+\.\d+$", stream="stdout"),
    Case("-V prints the version", ["-V"], 0, r"^mmkit \d+\.\d+\.\d+$", stream="stdout"),
    Case("no subcommand is a usage error", [], 2, r"usage: mmkit SUBCOMMAND"),
    Case("an unknown subcommand is named", ["simulate"], 2, r"mmkit: unknown subcommand 'simulate'"),
    Case("help answers", ["--help"], 0, r"usage: mmkit SUBCOMMAND", stream="stdout"),
    Case("help lists freespace", ["--help"], 0, r"usage: mmkit SUBCOMMAND", stream="stdout",
         also=r"^  freespace +free-space policies"),
    Case("help lists quiz", ["--help"], 0, r"usage: mmkit SUBCOMMAND", stream="stdout",
         also=r"^  quiz +a textbook exercise"),
]

QUIZ = [
    Case("no kind is a usage error", ["quiz"], 2, r"^mmkit: quiz: which kind\? \(try 'mmkit quiz --help'\)$"),
    Case("an unknown kind lists the kinds", ["quiz", "pagin"], 2,
         r"^mmkit: quiz: no kind 'pagin' \(relocation, segmentation, paging, multilevel, tlb, "
         r"replacement, freespace, cache\)$"),
    Case("two kinds are refused", ["quiz", "tlb", "paging"], 2,
         r"^mmkit: quiz: one kind at a time \('tlb' and 'paging'\)$"),
    Case("a seed that is no number is refused", ["quiz", "tlb", "--seed", "x"], 2,
         r"^mmkit: --seed: invalid value 'x' \(a number, 0 or more\)$"),
    Case("a negative seed is refused", ["quiz", "tlb", "--seed", "-1"], 2,
         r"^mmkit: --seed: invalid value '-1'"),
    Case("an unknown flag names the nearest", ["quiz", "tlb", "--answer"], 2,
         r"^mmkit: quiz: unknown option '--answer' \(did you mean --answers\?\)$"),
    Case("help answers", ["quiz", "--help"], 0, r"^usage: mmkit quiz KIND", stream="stdout"),
    Case("an exercise says how to work it", ["quiz", "paging", "--seed", "0"], 0,
         r"^A paging exercise \(seed 0\)\.$", stream="stdout",
         also=r"^  mmkit sim --machine quiz\.machine --addrs "),
    Case("the answer follows on request", ["quiz", "replacement", "--answers"], 0,
         r"^A replacement exercise \(seed 1\)\.$", stream="stdout",
         also=r"^\d+ page faults in \d+ references$"),
]

MAPS = [
    Case("a process that does not exist is named", ["maps", "99999999"], 1,
         r"^mmkit: maps: no process 99999999$"),
    Case("a word is not a process id", ["maps", "firefox"], 2,
         r"^mmkit: maps: 'firefox' is not a process id \(a program goes after '--'\)$"),
    Case("no process is a usage error", ["maps"], 2, r"^mmkit: maps: no PID or program given"),
    Case("a bad --every names the option", ["maps", "--every", "soon", "1"], 2,
         r"^mmkit: maps: --every: invalid value 'soon'"),
    Case("--every 0 is refused", ["maps", "--every=0ms", "--", "true"], 2,
         r"^mmkit: maps: --every: invalid value '0ms'"),
    Case("an unknown option names the nearest", ["maps", "--jsn", "1"], 2,
         r"^mmkit: maps: unknown option '--jsn' \(did you mean --json\?\)$"),
    Case("nothing after -- is a usage error", ["maps", "--"], 2,
         r"^mmkit: maps: no program after '--'"),
    Case("a missing program is 127", ["maps", "--", "{w}/no-such-program"], 127,
         r"mmkit: maps: cannot run '.*no-such-program': No such file or directory"),
    Case("the program's status is maps'", ["maps", "-o", "{w}/report", "--", "sh", "-c", "exit 5"],
         5, r"^$"),
    Case("a report is not written over an unwritable place",
         ["maps", "-o", "{w}/no/such/folder/report", "--", "true"], 1,
         r"^mmkit: .*report: cannot create it"),
    Case("the program blocks no signal of ours", ["maps", "-o", "{w}/report", "--", "grep",
         "SigBlk", "/proc/self/status"], 0, r"^SigBlk:\s+0+$", stream="stdout"),
    Case("help answers", ["maps", "--help"], 0, r"^usage: mmkit maps ", stream="stdout"),
]

TABLES = {"sim": SIM, "mrc": MRC, "trace": TRACE, "run": RUN, "freespace": FREESPACE,
          "mmkit": FRONT_DOOR, "quiz": QUIZ, "maps": MAPS}


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def make_files(work, files):
    for name, content in files.items():
        path = os.path.join(work, name)
        if isinstance(content, str) and content.startswith("->"):
            os.symlink(content[2:], path)
        elif content == "alloc-trace":
            # a real allocation trace, recorded from a real program
            subprocess.run([MMKIT, "trace", "--alloc", "-o", path, "--", "true"],
                           check=True, capture_output=True)
        else:
            with open(path, "wb") as f:
                f.write(content)


def run_case(case):
    """The problems with one case, as a list of sentences."""
    with tempfile.TemporaryDirectory() as work:
        make_files(work, case.files)
        before = {name: digest(os.path.join(work, name)) for name in case.unchanged}
        args = [a.replace("{w}", work).replace("{data}", DATA) for a in case.args]
        env = dict(os.environ, **case.env)
        done = subprocess.run([MMKIT] + args, capture_output=True, env=env, timeout=120,
                              stdin=subprocess.DEVNULL)
        problems = []
        if case.status is not None and done.returncode != case.status:
            problems.append(f"exit status {done.returncode}, wanted {case.status}")
        text = (done.stdout if case.stream == "stdout" else done.stderr).decode(errors="replace")
        lines = [line for line in text.splitlines() if line.strip()]
        first = lines[0] if lines else ""
        if not re.search(case.first_line, first):
            problems.append(f"first line {first!r} does not match {case.first_line!r}")
        if case.also and not any(re.search(case.also, line) for line in lines):
            problems.append(f"no line matches {case.also!r}")
        for name in case.unchanged:
            if digest(os.path.join(work, name)) != before[name]:
                problems.append(f"the input {name} changed")
        for name in case.absent:
            if os.path.lexists(os.path.join(work, name)):
                problems.append(f"a failed run left {name}")
        leftovers = [n for n in os.listdir(work) if n.startswith(".")]
        if leftovers:
            problems.append(f"temporary files left: {leftovers}")
        if problems:
            problems.append(f"stderr was: {done.stderr.decode(errors='replace')[:600]!r}")
        return problems


def main():
    failed = 0
    for case in TABLES[COMMAND]:
        problems = run_case(case)
        print(f"{'ok  ' if not problems else 'FAIL'} {COMMAND}: {case.name}")
        for problem in problems:
            print(f"       {problem}")
        failed += bool(problems)
    print(f"{len(TABLES[COMMAND]) - failed} of {len(TABLES[COMMAND])} cases hold")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
