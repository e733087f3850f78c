/* cmd_quiz.c - `mmkit quiz KIND --seed N`: an exercise (quiz.c) as a
 * student reads it: the machine file (and memory image) or the heap, the
 * addresses, references or operations, the task, and how to work it with
 * the simulator; with --answers the worked answer, which is the
 * simulator's own run; with --json all of it, the answers as the
 * simulator's JSON. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mmkit/freespace.h"
#include "mmkit/sim.h"
#include "quiz.h"
#include "json_text.h"

static const char usage[] =
    "usage: mmkit quiz KIND [--seed N] [--answers] [--json]\n"
    "\n"
    "Sets an exercise of the kind the textbooks set, drawn from the seed (the same\n"
    "seed, the same exercise), and with --answers works it with the simulator.\n"
    "\n"
    "kinds:\n"
    "  relocation    base and bounds: physical address or out of bounds\n"
    "  segmentation  two segments chosen by the top bit, one growing down\n"
    "  paging        a linear page table of raw entries: translate or not valid\n"
    "  multilevel    a two-level table walked in a memory image from the PDBR\n"
    "  tlb           hits and misses of a 4-entry LRU TLB\n"
    "  replacement   a reference string under fifo, lru, opt or clock\n"
    "  freespace     malloc.py's exercise: allocations and frees on a heap\n"
    "  cache         sets, tags, hits and misses of a small direct-mapped or 2-way cache\n"
    "\n"
    "options:\n"
    "  --seed N      which exercise (default 1)\n"
    "  --answers     the worked answer after the question\n"
    "  --json        the exercise and the simulator's answer as one JSON document\n";

static const struct cli_option options[] = {
    {"--help", false}, {"-h", false}, {"--seed", true}, {"--answers", false}, {"--json", false},
};

struct quiz_args {
    const char *kind;
    uint64_t seed;
    bool answers, json, help;
};

static int parse(int argc, char **argv, struct quiz_args *a)
{
    *a = (struct quiz_args){.seed = 1};
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-') {
            if (a->kind)
                return cli_usage_error("quiz: one kind at a time ('%s' and '%s')", a->kind,
                                       argv[i]);
            a->kind = argv[i];
            continue;
        }
        const char *value;
        const struct cli_option *option =
            cli_option_next(options, sizeof options / sizeof options[0], argc, argv, &i, &value,
                            "quiz");
        if (!option)
            return 2;
        char *end;
        if (!strcmp(option->name, "--seed")) {
            a->seed = strtoull(value, &end, 10);
            if (!*value || *end || *value == '-')
                return cli_usage_error("--seed: invalid value '%s' (a number, 0 or more)", value);
        } else if (!strcmp(option->name, "--answers")) {
            a->answers = true;
        } else if (!strcmp(option->name, "--json")) {
            a->json = true;
        } else {
            a->help = true;
        }
    }
    if (!a->help && !a->kind)
        return cli_usage_error("quiz: which kind? (try 'mmkit quiz --help')");
    return 0;
}

/* ---- the answers: the simulator's run -------------------------------- */

/* The exercise's machine, its memory image written to image_path. */
static int quiz_machine(const struct quiz *q, const char *image_path, struct sim_config *config,
                        struct sim_diag *diag)
{
    sim_config_default(config);
    for (size_t i = 0; i < q->settings; i++) {
        const char *value = !strcmp(q->setting[i].key, "memory-image") ? image_path
                                                                          : q->setting[i].value;
        int status = sim_config_set(config, q->setting[i].key, value, diag);
        if (status)
            return status;
    }
    return sim_config_finish(config, diag);
}

/* Run the exercise on the simulator, telling it to out: as --steps
 * (replacement), --explain, or JSON (json).  0, or 1 after a message. */
static int run_sim(const struct quiz *q, FILE *out, bool json)
{
    char image_path[] = "/tmp/mmkit-quiz-XXXXXX";
    int fd = -1;
    struct sim_diag diag = {0};
    int status = SIM_OK;
    if (q->image) {
        fd = mkstemp(image_path);
        if (fd < 0 || write(fd, q->image, strlen(q->image)) != (ssize_t)strlen(q->image)) {
            perror("mmkit: a temporary file for the memory image");
            status = SIM_ERR_IO;
        }
    }
    struct sim_config config;
    struct sim_workload workload = {.processes = 1};
    if (!status)
        status = quiz_machine(q, image_path, &config, &diag);
    if (!status)
        status = sim_refs_parse(q->input, q->addresses, config.page_size, &workload.records,
                                &workload.count, &diag);
    FILE *steps = json && !status ? tmpfile() : NULL;
    bool table = !strcmp(q->kind, "replacement"); /* a line a reference, as drawn */
    struct sim_run_options run = {.explain = json || table ? NULL : out,
                                  .steps = !json && table ? out : NULL,
                                  .explain_json = steps};
    struct sim_machine *machine = NULL;
    if (!status && json && !steps)
        status = SIM_ERR_NOMEM;
    if (!status)
        status = sim_run_workload(&machine, &config, &workload, &run, &diag);
    if (!status && json) {
        sim_report_json_steps(out, machine, steps);
    } else if (!status && !strcmp(q->kind, "replacement")) {
        struct sim_stats s;
        sim_machine_stats(machine, -1, &s);
        fprintf(out, "%" PRIu64 " page faults in %" PRIu64 " references\n", s.page_faults,
                s.references);
    }
    sim_machine_destroy(machine);
    free(workload.records);
    if (steps)
        fclose(steps);
    if (fd >= 0) {
        close(fd);
        unlink(image_path);
    }
    return status ? cli_run_error(&diag, status) : 0;
}

static int run_freespace(const struct quiz *q, FILE *out, bool json)
{
    struct freespace_config config;
    struct sim_diag diag = {0};
    struct freespace_op *ops = NULL;
    size_t count = 0;
    struct freespace_heap *heap = NULL;
    freespace_config_default(&config);
    int status = SIM_OK;
    for (size_t i = 0; i < q->settings && !status; i++)
        status = freespace_config_set(&config, q->setting[i].key, q->setting[i].value, &diag);
    if (!status)
        status = freespace_config_finish(&config, &diag);
    if (!status)
        status = freespace_ops_parse(q->input, &ops, &count, &diag);
    if (!status)
        status = freespace_heap_create(&heap, &config, &diag);
    struct freespace_run_options run = {.explain = json ? NULL : out, .json = json ? out : NULL};
    if (!status)
        status = freespace_run(heap, ops, count, &run, &diag);
    freespace_heap_destroy(heap);
    free(ops);
    return status ? cli_run_error(&diag, status) : 0;
}

static int answer(const struct quiz *q, FILE *out, bool json)
{
    return q->freespace ? run_freespace(q, out, json) : run_sim(q, out, json);
}

/* ---- the question ---------------------------------------------------- */

/* The command that works the exercise, as a student would type it. */
static void print_command(FILE *out, const struct quiz *q)
{
    if (q->freespace) {
        fprintf(out, "mmkit freespace");
        for (size_t i = 0; i < q->settings; i++) {
            if (!strcmp(q->setting[i].key, "coalesce"))
                fprintf(out, " --%s", strcmp(q->setting[i].value, "yes") ? "no-coalesce"
                                                                          : "coalesce");
            else
                fprintf(out, " --%s %s", q->setting[i].key, q->setting[i].value);
        }
        fprintf(out, " --ops %s --explain", q->input);
    } else {
        fprintf(out, "mmkit sim --machine quiz.machine %s %s %s",
                q->addresses ? "--addrs" : "--refs", q->input,
                !strcmp(q->kind, "replacement") ? "--steps" : "--kinds L --explain");
    }
}

static void print_question(FILE *out, const struct quiz *q)
{
    fprintf(out, "A %s exercise (seed %" PRIu64 ").\n\n", q->kind, q->seed);
    if (q->freespace) {
        fprintf(out, "The heap and its policy:\n\n");
        for (size_t i = 0; i < q->settings; i++)
            fprintf(out, "  %s = %s\n", q->setting[i].key, q->setting[i].value);
        fprintf(out, "\nOperations (+N allocates N bytes, -K frees allocation K): %s\n",
                q->input);
    } else {
        fprintf(out, "The machine (save it as quiz.machine%s):\n\n",
                q->image ? ", and the memory below as quiz.mem" : "");
        for (size_t i = 0; i < q->settings; i++)
            fprintf(out, "  %s = %s\n", q->setting[i].key, q->setting[i].value);
        if (q->image)
            fprintf(out, "\nPhysical memory (quiz.mem):\n\n%s", q->image);
        fprintf(out, "\n%s: %s\n", q->addresses ? "Virtual addresses (loads)" : "References",
                q->input);
    }
    fprintf(out, "\nTask: %s.\n\nWork it with the simulator:\n  ", q->task);
    print_command(out, q);
    fprintf(out, "\nor see the answer: mmkit quiz %s --seed %" PRIu64 " --answers\n", q->kind,
            q->seed);
}

static int print_json(FILE *out, const struct quiz *q)
{
    fprintf(out, "{\n  \"kind\": \"%s\",\n  \"seed\": %" PRIu64 ",\n  \"task\": ", q->kind,
            q->seed);
    json_text(out, q->task);
    fprintf(out, ",\n  \"settings\": [");
    for (size_t i = 0; i < q->settings; i++) {
        fprintf(out, "%s[", i ? ", " : "");
        json_text(out, q->setting[i].key);
        fprintf(out, ", ");
        json_text(out, q->setting[i].value);
        fputc(']', out);
    }
    fprintf(out, "],\n  \"input\": ");
    json_text(out, q->input);
    if (q->image) {
        fprintf(out, ",\n  \"memory_image\": ");
        json_text(out, q->image);
    }
    fprintf(out, ",\n  \"answers\": ");
    int status = answer(q, out, true);
    fprintf(out, "}\n");
    return status;
}

int cmd_quiz(int argc, char **argv)
{
    struct quiz_args a;
    int status = parse(argc, argv, &a);
    if (status || a.help) {
        if (a.help)
            fputs(usage, stdout);
        return status;
    }
    struct quiz q;
    if (quiz_make(a.kind, a.seed, &q)) {
        if (!q.kind) {
            fprintf(stderr, "mmkit: quiz: no kind '%s' (", a.kind);
            for (size_t i = 0; quiz_kinds[i]; i++)
                fprintf(stderr, "%s%s", i ? ", " : "", quiz_kinds[i]);
            fprintf(stderr, ")\n");
            return 2;
        }
        fprintf(stderr, "mmkit: out of memory\n");
        return 1;
    }
    if (a.json) {
        status = print_json(stdout, &q);
    } else {
        print_question(stdout, &q);
        if (a.answers) {
            printf("\nThe answer, worked by the simulator:\n\n");
            status = answer(&q, stdout, false);
        }
    }
    quiz_free(&q);
    if (!status && (fflush(stdout) || ferror(stdout))) {
        fprintf(stderr, "mmkit: cannot write the standard output\n");
        status = 1;
    }
    return status;
}
