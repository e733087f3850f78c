/*
 * flame_svg.c - the bytes a program allocated, by call stack:
 * `mmkit trace --dump --flame OUT.svg` draws them as a flame graph (the
 * program's outermost frame at the bottom, each frame as wide as the bytes
 * allocated below it), `--folded OUT` writes them in the folded-stacks text
 * that flame graph tools read, one line per stack: "main;parse;copy 4096".
 * Both leave out the allocator's own frames, as the summary's sites do.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "heap_profile.h"
#include "svg_chart.h"

/* A frame of the tree of stacks: its children share the frames above it. */
typedef struct node {
    struct mmkit_alloc_frame frame; /* what names it */
    uint64_t value;                 /* bytes allocated in it and below it */
    uint32_t first_child, next_sibling; /* 0: none (the root is node 0) */
} node;

typedef struct tree {
    node *nodes;
    size_t count, capacity;
    unsigned depth;
} tree;

static bool same_frame(const struct mmkit_alloc_frame *a, const struct mmkit_alloc_frame *b)
{
    if (a->function[0] || b->function[0])
        return !strcmp(a->function, b->function);
    return !strcmp(a->module, b->module) && a->module_address == b->module_address;
}

/* The child of `parent` named by f, added if new; 0 if out of memory. */
static uint32_t child_of(tree *t, uint32_t parent, const struct mmkit_alloc_frame *f)
{
    for (uint32_t c = t->nodes[parent].first_child; c; c = t->nodes[c].next_sibling)
        if (same_frame(&t->nodes[c].frame, f))
            return c;
    if (t->count == t->capacity) {
        size_t capacity = 2 * t->capacity;
        node *bigger = realloc(t->nodes, capacity * sizeof *bigger);
        if (!bigger || capacity > UINT32_MAX)
            return 0;
        t->nodes = bigger;
        t->capacity = capacity;
    }
    uint32_t c = (uint32_t)t->count++;
    t->nodes[c] = (node){.frame = *f, .next_sibling = t->nodes[parent].first_child};
    t->nodes[parent].first_child = c;
    return c;
}

/* Every stack that allocated, from its outermost frame to its site's. */
static bool build(struct heap_profile *p, tree *t)
{
    *t = (tree){.capacity = 1024};
    t->nodes = calloc(t->capacity, sizeof *t->nodes);
    if (!t->nodes)
        return false;
    t->count = 1;
    t->nodes[0].frame = (struct mmkit_alloc_frame){.function = "all", .file = "", .module = ""};
    for (size_t s = 0; s < p->stack_capacity; s++) {
        uint64_t bytes = p->stack[s].bytes;
        if (!bytes)
            continue;
        t->nodes[0].value += bytes;
        size_t count = s ? mmkit_alloc_trace_stack(p->trace, (uint32_t)s, NULL, 0) : 0;
        size_t cut = s ? p->stack[s].cut : 0;
        uint32_t at = 0;
        unsigned depth = 0;
        if (!s) {
            struct mmkit_alloc_frame none = {.function = "(no stack)", .file = "", .module = ""};
            if (!(at = child_of(t, at, &none)))
                return false;
            t->nodes[at].value += bytes;
            depth = 1;
        }
        for (size_t i = count; i-- > cut;) {
            struct mmkit_alloc_frame f;
            mmkit_alloc_trace_frame(p->trace, (uint32_t)s, i, &f);
            if (!(at = child_of(t, at, &f)))
                return false;
            t->nodes[at].value += bytes;
            depth++;
        }
        t->depth = depth > t->depth ? depth : t->depth;
    }
    return true;
}

/* A frame's name: its function, else its module and address; flame graph
 * tools split lines at ';' and the count at the last space. */
static void frame_text(const struct mmkit_alloc_frame *f, char *out, size_t size)
{
    const char *slash = strrchr(f->module, '/');
    if (f->function[0])
        snprintf(out, size, "%s", f->function);
    else if (f->module[0])
        snprintf(out, size, "%s+0x%" PRIx64, slash ? slash + 1 : f->module, f->module_address);
    else
        snprintf(out, size, "0x%" PRIx64, f->pc);
    for (char *c = out; *c; c++)
        if (*c == ';' || *c == '\n' || *c == '\r')
            *c = '_';
}

/* ---- folded stacks ------------------------------------------------------------- */

/* The lines of node n and below it; `path` holds the frames above, `used`
 * of its bytes. */
static void fold(const tree *t, uint32_t n, char *path, size_t used, size_t size, FILE *out)
{
    const node *at = &t->nodes[n];
    if (n) {
        char name[600];
        frame_text(&at->frame, name, sizeof name);
        int wrote = snprintf(path + used, size - used, "%s%s", used ? ";" : "", name);
        used = wrote < 0 || (size_t)wrote >= size - used ? size - 1 : used + (size_t)wrote;
    }
    uint64_t below = 0;
    for (uint32_t c = at->first_child; c; c = t->nodes[c].next_sibling) {
        below += t->nodes[c].value;
        fold(t, c, path, used, size, out);
    }
    if (n && at->value > below)
        fprintf(out, "%.*s %" PRIu64 "\n", (int)used, path, at->value - below);
}

int heap_folded(struct heap_profile *p, FILE *out)
{
    tree t;
    bool built = build(p, &t);
    if (built) {
        static char path[1 << 18];
        fold(&t, 0, path, 0, sizeof path, out);
    }
    free(t.nodes);
    return built && !ferror(out) ? 0 : -1;
}

/* ---- the flame graph ------------------------------------------------------------ */

#define WIDTH 1200
#define SIDE 10
#define ROW 17
#define TOP 56
#define BOTTOM 30
#define CHAR_WIDTH 6.6 /* of the 11-pixel font, on average */
#define MIN_WIDTH 2.0  /* pixels: narrower frames (under 0.2% of the bytes) are left out */

static uint32_t hash_name(const char *name)
{
    uint32_t h = 2166136261u;
    for (; *name; name++)
        h = (h ^ (uint8_t)*name) * 16777619u;
    return h;
}

typedef struct canvas {
    FILE *out;
    double scale; /* pixels per byte */
    uint64_t total;
    double bottom; /* y of the root's row */
} canvas;

static void draw(const tree *t, uint32_t n, double x, unsigned depth, const canvas *c)
{
    const node *at = &t->nodes[n];
    double width = (double)at->value * c->scale;
    if (width < MIN_WIDTH)
        return; /* too narrow to see: left out, which keeps the file small */
    char name[600];
    frame_text(&at->frame, name, sizeof name);
    uint32_t h = hash_name(name);
    double y = c->bottom - depth * ROW;
    fputs("<g><title>", c->out);
    svg_escape(c->out, name);
    if (at->frame.file[0]) {
        const char *slash = strrchr(at->frame.file, '/');
        fputs(" at ", c->out);
        svg_escape(c->out, slash ? slash + 1 : at->frame.file);
        fprintf(c->out, ":%u", at->frame.line);
    }
    fprintf(c->out, " (%" PRIu64 " bytes, %.2f%%)</title><rect x='%.1f' y='%.1f' width='%.1f' "
                    "height='%d' rx='2' fill='rgb(%u,%u,%u)'/>",
            at->value, 100.0 * (double)at->value / (double)c->total, x, y, width, ROW - 1,
            205 + h % 50, (h >> 8) % 230, (h >> 16) % 55);
    size_t fits = width > 6 + 4 * CHAR_WIDTH ? (size_t)((width - 6) / CHAR_WIDTH) : 0;
    if (fits) {
        fprintf(c->out, "<text x='%.1f' y='%.1f'>", x + 3, y + ROW - 5);
        if (strlen(name) > fits && fits > 2)
            strcpy(name + fits - 2, "..");
        else if (strlen(name) > fits)
            name[fits] = '\0';
        svg_escape(c->out, name);
        fputs("</text>", c->out);
    }
    fputs("</g>\n", c->out);
    for (uint32_t k = at->first_child; k; k = t->nodes[k].next_sibling) {
        draw(t, k, x, depth + 1, c);
        x += (double)t->nodes[k].value * c->scale;
    }
}

int heap_flame_svg(struct heap_profile *p, FILE *out)
{
    tree t;
    if (!build(p, &t)) {
        free(t.nodes);
        return -1;
    }
    int height = TOP + (int)(t.depth + 1) * ROW + BOTTOM;
    fprintf(out, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                 "font-family='sans-serif' font-size='11'>\n"
                 "<rect width='100%%' height='100%%' fill='white'/>\n"
                 "<text x='%d' y='24' font-size='16'>Bytes allocated by call stack: ",
            WIDTH, height, SIDE);
    svg_escape(out, p->path);
    char total[64];
    snprintf(total, sizeof total, "%" PRIu64 " bytes in %" PRIu64 " allocations", p->bytes,
             p->allocations);
    fprintf(out, "</text>\n<text x='%d' y='42' font-size='12' fill='#555'>%s; each frame as "
                 "wide as the bytes allocated in it and its callees (hover for numbers)</text>\n",
            SIDE, total);
    canvas c = {out, t.nodes[0].value ? (WIDTH - 2.0 * SIDE) / (double)t.nodes[0].value : 0,
                t.nodes[0].value ? t.nodes[0].value : 1, (double)(height - BOTTOM - ROW)};
    draw(&t, 0, SIDE, 0, &c);
    fputs("</svg>\n", out);
    free(t.nodes);
    return ferror(out) ? -1 : 0;
}
