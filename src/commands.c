/* commands.c - parse the command block of a signed body. */
#include "autoconf.h"

#include <string.h>

#include "commands.h"

static const struct {
	command_kind kind;
	const char *name;
	bool bare;      /* may stand without ": value" */
	bool details;   /* carries free text */
} command_table[] = {
	{ CMD_CASE, "Case", false, false },
	{ CMD_ACCEPT, "Accept", true, false },
	{ CMD_REJECT, "Reject", false, true },
	{ CMD_DUPLICATE_OF, "Duplicate-Of", false, false },
	{ CMD_NEED_INFO, "Need-Info", false, true },
	{ CMD_INFO, "Info", false, true },
	{ CMD_ADD_VENDOR, "Add-Vendor", false, true },
	{ CMD_PIN_KEY, "Pin-Key", false, false },
	{ CMD_STATUS, "Status", false, true },
	{ CMD_PRODUCT, "Product", false, true },
	{ CMD_STATEMENT, "Statement", true, true },
	{ CMD_ADVISORY_URL, "Advisory-URL", false, true },
	{ CMD_SHARE, "Share", false, false },
	{ CMD_PROPOSE_DATE, "Propose-Date", false, true },
	{ CMD_AGREE_DATE, "Agree-Date", true, false },
	{ CMD_OBJECT_DATE, "Object-Date", false, true },
	{ CMD_SET_DATE, "Set-Date", false, true },
	{ CMD_DRAFT, "Draft", false, true },
	{ CMD_PUBLISHED, "Published", false, false },
	{ CMD_CREDIT, "Credit", false, true },
	{ CMD_CVE, "CVE", false, true },
	{ CMD_ALIAS, "Alias", false, false },
	{ CMD_EMBARGO_BREAK, "Embargo-Break", false, true },
	{ CMD_PUBLISH_NOW, "Publish-Now", true, false },
	{ CMD_HOLD, "Hold", true, false },
	{ CMD_RESUME, "Resume", true, false },
	{ CMD_CLOSE, "Close", true, false },
	{ CMD_REMOVE_VENDOR, "Remove-Vendor", false, false },
};

const char *
command_name(command_kind k)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(command_table); i++)
		if (command_table[i].kind == k)
			return command_table[i].name;
	return "unknown";
}

/* Other names for commands (e.g. Japanese), from the rules. */
static GHashTable *command_aliases;

void
commands_set_aliases(GHashTable *aliases)
{
	command_aliases = aliases;
}

command_kind
command_lookup(const char *key)
{
	const char *target;
	char *folded;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(command_table); i++)
		if (g_ascii_strcasecmp(command_table[i].name, key) == 0)
			return command_table[i].kind;
	if (command_aliases == NULL || !g_utf8_validate(key, -1, NULL))
		return CMD_UNKNOWN;
	folded = g_utf8_casefold(key, -1);
	target = g_hash_table_lookup(command_aliases, folded);
	g_free(folded);
	if (target)
		for (i = 0; i < G_N_ELEMENTS(command_table); i++)
			if (g_ascii_strcasecmp(command_table[i].name, target) == 0)
				return command_table[i].kind;
	return CMD_UNKNOWN;
}

static bool
command_bare(command_kind k)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(command_table); i++)
		if (command_table[i].kind == k)
			return command_table[i].bare;
	return false;
}

bool
command_carries_details(command_kind k)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(command_table); i++)
		if (command_table[i].kind == k)
			return command_table[i].details;
	return true;  /* unknown: assume it does */
}

static void
command_free(gpointer p)
{
	command *c = p;

	g_free(c->key);
	g_free(c->value);
	g_free(c);
}

void
command_block_free(command_block *b)
{
	if (b == NULL)
		return;
	g_ptr_array_unref(b->cmds);
	g_free(b->case_tag);
	g_free(b->error);
	g_free(b);
}

/* "Key: value" with a key of letters, digits and '-', or a bare keyword. */
static bool
split_line(const char *line, char **key_out, char **value_out)
{
	const char *p = line, *colon;

	while (*p == ' ' || *p == '\t')
		p++;
	colon = strchr(p, ':');
	{
		/* Japanese input methods type the full-width colon "：". */
		const char *wide = strstr(p, "\xef\xbc\x9a");
		if (wide && (colon == NULL || wide < colon)) {
			*key_out = g_strndup(p, (gsize)(wide - p));
			*value_out = g_strstrip(g_strdup(wide + 3));
			if (**key_out == '\0') {
				g_free(*key_out);
				g_free(*value_out);
				return false;
			}
			return true;
		}
	}
	if (colon == NULL) {
		/* A bare keyword such as "Accept" or "Hold". */
		char *word = g_strstrip(g_strdup(p));
		command_kind k = command_lookup(word);
		if (k != CMD_UNKNOWN && command_bare(k)) {
			*key_out = word;
			*value_out = g_strdup("");
			return true;
		}
		g_free(word);
		return false;
	}
	if (colon == p)
		return false;
	{
		const char *q;
		for (q = p; q < colon; q++)
			if (!(g_ascii_isalnum(*q) || *q == '-' || (unsigned char)*q >= 0x80))
				return false;
	}
	*key_out = g_strndup(p, (gsize)(colon - p));
	*value_out = g_strstrip(g_strdup(colon + 1));
	return true;
}

command_block *
commands_parse(const char *text)
{
	command_block *b = g_new0(command_block, 1);
	char **lines;
	int i = 0;

	b->cmds = g_ptr_array_new_with_free_func(command_free);
	if (text == NULL)
		return b;
	/* A byte-order mark is not part of the first key. */
	if (g_str_has_prefix(text, "\xef\xbb\xbf"))
		text += 3;
	lines = g_strsplit(text, "\n", -1);
	/* CRLF mail: the CR belongs to no line, Statement text included. */
	for (i = 0; lines[i]; i++) {
		size_t len = strlen(lines[i]);
		if (len && lines[i][len - 1] == '\r')
			lines[i][len - 1] = '\0';
	}
	i = 0;
	/* Leading blank lines are not the end of a block that has not begun. */
	while (lines[i] && g_strstrip(lines[i])[0] == '\0')
		i++;
	for (; lines[i]; i++) {
		char *line = lines[i], *key = NULL, *value = NULL;
		command *c;
		{
			char *t = g_strstrip(g_strdup(line));
			bool end = t[0] == '\0' || g_ascii_strcasecmp(t, "thanks") == 0 || strcmp(t, "--") == 0;
			g_free(t);
			if (end)
				break;
		}
		if (!split_line(line, &key, &value))
			break;  /* prose begins: the block is over */
		c = g_new0(command, 1);
		c->key = key;
		c->value = value;
		c->line = i + 1;
		c->kind = command_lookup(key);
		if (c->kind == CMD_STATEMENT) {
			/* Statement: [first line] ... End-Statement, blank lines included. */
			GString *s = g_string_new(value);
			bool closed = false;
			int j;
			for (j = i + 1; lines[j]; j++) {
				char *t = g_strstrip(g_strdup(lines[j]));
				bool stop = g_ascii_strcasecmp(t, "End-Statement") == 0;
				g_free(t);
				if (stop) {
					closed = true;
					break;
				}
				if (s->len)
					g_string_append_c(s, '\n');
				g_string_append(s, lines[j]);
			}
			g_free(c->value);
			c->value = g_strstrip(g_string_free(s, FALSE));
			if (!closed) {
				b->error = g_strdup_printf("line %d: Statement without End-Statement", i + 1);
				g_ptr_array_add(b->cmds, c);
				break;
			}
			i = j;
		}
		if (c->kind == CMD_CASE) {
			b->case_count++;
			if (b->case_tag == NULL)
				b->case_tag = g_strdup(c->value);
		}
		g_ptr_array_add(b->cmds, c);
	}
	g_strfreev(lines);
	return b;
}
