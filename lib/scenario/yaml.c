/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A scenario file as a tree of nodes, each with the line and column where
 * libyaml found it, so that every later complaint can say FILE:LINE:COL.
 * Aliases share their anchor's node; how far they expand is bounded, so a
 * file cannot make the checker walk billions of nodes.
 */
#include "scn.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <yaml.h>

/* More nodes than any scenario needs, fewer than a checker can walk quickly. */
#define MAX_EXPANDED	200000

void *scn_zalloc(struct ipk_arena *a, size_t n)
{
	void *p = ipk_arena_alloc(a, n ? n : 1);

	if (p)
		memset(p, 0, n ? n : 1);
	return p;
}

char *scn_strndup(struct ipk_arena *a, const char *s, size_t n)
{
	char *p = ipk_arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void scn_diag(struct ipk_scenario_diags *d, const char *file, int line, int col,
	      const char *fmt, ...)
{
	struct ipk_buf b = { 0 };
	va_list ap;

	if (!d || d->n >= SCN_MAX_DIAGS)
		return;
	if (line > 0)
		ipk_buf_printf(&b, "%s:%d:%d: ", file, line, col);
	else
		ipk_buf_printf(&b, "%s: ", file);
	va_start(ap, fmt);
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) >= 0)
		ipk_buf_puts(&b, text);
	free(text);
	va_end(ap);
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 8;
		char **v = realloc(d->v, cap * sizeof(*v));
		if (!v) {
			d->oom = true;
			ipk_buf_free(&b);
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	if (!b.s) {
		d->oom = true;
		return;
	}
	d->v[d->n++] = b.s;
}

size_t ipk_scenario_diag_count(const struct ipk_scenario_diags *d)
{
	return d ? d->n : 0;
}

const char *ipk_scenario_diag_text(const struct ipk_scenario_diags *d, size_t i)
{
	return d && i < d->n ? d->v[i] : NULL;
}

void ipk_scenario_diags_free(struct ipk_scenario_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
	free(d->v);
	free(d);
}

const struct ynode *scn_ymap_get(const struct ynode *map, const char *key)
{
	if (!map || map->type != Y_MAP)
		return NULL;
	size_t len = strlen(key);
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i];
		if (k->type == Y_SCALAR && k->len == len && memcmp(k->s, key, len) == 0)
			return map->items[2 * i + 1];
	}
	return NULL;
}

struct conv {
	yaml_document_t *doc;
	struct ipk_arena *a;
	const char *file;
	struct ipk_scenario_diags *d;
	struct ynode **done;	/* by node index */
	uint8_t *state;		/* 0 new, 1 being converted, 2 done */
	uint64_t *weight;	/* nodes it expands to */
	uint64_t total;
	int err;
};

static struct ynode *convert(struct conv *c, int id);

static void mark(struct ynode *n, const yaml_node_t *y)
{
	n->line = (int)y->start_mark.line + 1;
	n->col = (int)y->start_mark.column + 1;
}

static int fail(struct conv *c, const struct ynode *at, int err, const char *what)
{
	if (!c->err)
		scn_diag(c->d, c->file, at ? at->line : 0, at ? at->col : 0, "%s", what);
	c->err = err;
	return err;
}

static struct ynode *convert(struct conv *c, int id)
{
	yaml_node_t *y = yaml_document_get_node(c->doc, id);
	size_t i = (size_t)(id - 1);

	if (!y || c->err)
		return NULL;
	if (c->state[i] == 2) {
		c->total += c->weight[i];
		if (c->total > MAX_EXPANDED) {
			fail(c, c->done[i], -E2BIG, "aliases expand to too many nodes");
			return NULL;
		}
		return c->done[i];
	}
	struct ynode *n = scn_zalloc(c->a, sizeof(*n));
	if (!n) {
		fail(c, NULL, -ENOMEM, "out of memory");
		return NULL;
	}
	mark(n, y);
	if (c->state[i] == 1) {
		fail(c, n, -EINVAL, "an alias refers to the node that contains it");
		return NULL;
	}
	c->state[i] = 1;
	uint64_t before = c->total++;

	switch (y->type) {
	case YAML_SCALAR_NODE:
		n->type = Y_SCALAR;
		n->s = scn_strndup(c->a, (const char *)y->data.scalar.value, y->data.scalar.length);
		n->len = y->data.scalar.length;
		n->quoted = y->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		if (!n->s)
			fail(c, NULL, -ENOMEM, "out of memory");
		break;
	case YAML_SEQUENCE_NODE: {
		size_t k = (size_t)(y->data.sequence.items.top - y->data.sequence.items.start);
		n->type = Y_SEQ;
		n->items = scn_zalloc(c->a, (k ? k : 1) * sizeof(*n->items));
		if (!n->items) {
			fail(c, NULL, -ENOMEM, "out of memory");
			break;
		}
		for (size_t j = 0; j < k && !c->err; j++)
			n->items[n->n++] = convert(c, y->data.sequence.items.start[j]);
		break;
	}
	case YAML_MAPPING_NODE: {
		size_t k = (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start);
		n->type = Y_MAP;
		n->items = scn_zalloc(c->a, (k ? 2 * k : 1) * sizeof(*n->items));
		if (!n->items) {
			fail(c, NULL, -ENOMEM, "out of memory");
			break;
		}
		for (size_t j = 0; j < k && !c->err; j++) {
			yaml_node_pair_t *p = &y->data.mapping.pairs.start[j];
			struct ynode *key = convert(c, p->key);
			struct ynode *val = key ? convert(c, p->value) : NULL;
			if (!key || !val)
				break;
			if (key->type != Y_SCALAR) {
				fail(c, key, -EINVAL, "a key must be a word, not a list or a mapping");
				break;
			}
			for (size_t m = 0; m < n->n; m++) {
				const struct ynode *other = n->items[2 * m];
				if (other->len == key->len && memcmp(other->s, key->s, key->len) == 0) {
					char msg[160];
					snprintf(msg, sizeof(msg), "duplicate key '%.*s' (first at line %d)",
						 (int)(key->len > 64 ? 64 : key->len), key->s, other->line);
					fail(c, key, -EINVAL, msg);
					break;
				}
			}
			n->items[2 * n->n] = key;
			n->items[2 * n->n + 1] = val;
			n->n++;
		}
		break;
	}
	default:
		fail(c, n, -EINVAL, "an empty node");
		break;
	}
	if (c->total > MAX_EXPANDED && !c->err)
		fail(c, n, -E2BIG, "aliases expand to too many nodes");
	c->weight[i] = c->total - before;
	c->done[i] = n;
	c->state[i] = 2;
	return c->err ? NULL : n;
}

/*
 * "- *.send.errors == 0", an expectation about every actor, is no YAML: a
 * plain * starts an alias, and an alias followed by more text is an error.
 * Such an item of a list is quoted before parsing, so the line reads as
 * SCENARIO.md writes it; lines and columns stay where they were.
 */
static char *quote_stars(const char *text, size_t len, size_t *out_len)
{
	struct ipk_buf b = { 0 };

	for (size_t i = 0; i < len;) {
		size_t end = i;
		while (end < len && text[end] != '\n')
			end++;
		size_t p = i;
		while (p < end && text[p] == ' ')
			p++;
		if (p + 3 < end && text[p] == '-' && text[p + 1] == ' ' && text[p + 2] == '*' &&
		    text[p + 3] == '.' && !memchr(text + p, '"', end - p) &&
		    !memchr(text + p, '#', end - p)) {
			ipk_buf_add(&b, text + i, p + 2 - i);
			ipk_buf_add(&b, "\"", 1);
			size_t e = end;
			while (e > p && text[e - 1] == ' ')
				e--;
			ipk_buf_add(&b, text + p + 2, e - p - 2);
			ipk_buf_add(&b, "\"", 1);
		} else {
			ipk_buf_add(&b, text + i, end - i);
		}
		if (end < len)
			ipk_buf_add(&b, "\n", 1);
		i = end + 1;
	}
	*out_len = b.len;
	if (!b.s)
		return strdup("");
	return b.s;
}

int scn_yaml_load(const char *path, struct ipk_arena *a, const struct ynode **root,
	      struct ipk_scenario_diags *d)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	char *raw = NULL, *text = NULL;
	size_t len = 0, tlen = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = fd < 0 ? -errno : read_fd_all(fd, &raw, &len);

	*root = NULL;
	if (fd >= 0)
		close(fd);
	if (rc) {
		scn_diag(d, path, 0, 0, "cannot read it: %s", ipk_strerror(-rc));
		return rc;
	}
	text = quote_stars(raw, len, &tlen);
	free(raw);
	if (!text)
		return -ENOMEM;
	if (!yaml_parser_initialize(&parser)) {
		free(text);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, tlen);
	if (!yaml_parser_load(&parser, &doc)) {
		const yaml_mark_t *m = parser.problem ? &parser.problem_mark : &parser.mark;
		if (parser.error == YAML_MEMORY_ERROR) {
			rc = -ENOMEM;
			scn_diag(d, path, 0, 0, "out of memory");
		} else if (parser.error == YAML_READER_ERROR) {
			rc = -EINVAL;
			scn_diag(d, path, 0, 0, "cannot read it: %s", parser.problem ? parser.problem
								      : "not text");
		} else {
			rc = -EINVAL;
			char where[64] = "";
			if (parser.context && (parser.context_mark.line != m->line ||
					       parser.context_mark.column != m->column))
				snprintf(where, sizeof(where), " (the one at %d:%d)",
					 (int)parser.context_mark.line + 1,
					 (int)parser.context_mark.column + 1);
			/* "- *.send.errors == 0": a plain * starts an alias. */
			const char *hint = parser.context && strstr(parser.context, "alias") ?
					   ": a value that starts with * needs quotes" : "";
			scn_diag(d, path, (int)m->line + 1, (int)m->column + 1, "%s%s%s%s%s",
				 parser.problem ? parser.problem : "not YAML",
				 parser.context ? " " : "", parser.context ? parser.context : "", where,
				 hint);
		}
		yaml_parser_delete(&parser);
		free(text);
		return rc;
	}
	yaml_node_t *top = yaml_document_get_root_node(&doc);
	if (!top) {
		scn_diag(d, path, 1, 1, "empty: a scenario is a mapping (scenario:, objects:, "
			 "actors:, expect:)");
		rc = -EINVAL;
	} else {
		size_t nnodes = (size_t)(doc.nodes.top - doc.nodes.start);
		struct conv c = {
			.doc = &doc, .a = a, .file = path, .d = d,
			.done = calloc(nnodes, sizeof(*c.done)),
			.state = calloc(nnodes, 1),
			.weight = calloc(nnodes, sizeof(*c.weight)),
		};
		if (!c.done || !c.state || !c.weight) {
			rc = -ENOMEM;
		} else {
			*root = convert(&c, 1);
			rc = c.err;
		}
		free(c.done);
		free(c.state);
		free(c.weight);
	}
	yaml_document_delete(&doc);
	/* One document per file: a second one is a mistake, not a new scenario. */
	if (!rc) {
		yaml_document_t next;
		if (yaml_parser_load(&parser, &next)) {
			yaml_node_t *n = yaml_document_get_root_node(&next);
			if (n) {
				scn_diag(d, path, (int)n->start_mark.line + 1,
					 (int)n->start_mark.column + 1,
					 "a second document: one scenario per file");
				rc = -EINVAL;
			}
			yaml_document_delete(&next);
		}
	}
	yaml_parser_delete(&parser);
	free(text);
	if (rc)
		*root = NULL;
	return rc;
}
