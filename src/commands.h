/* commands.h - the mail command language (DESIGN §5), parsed.
 * The block is the leading "Key: value" lines of the signed body, ending at
 * a blank line, "thanks" or "--"; Statement: ... End-Statement spans lines. */
#ifndef VULTURES_COMMANDS_H
#define VULTURES_COMMANDS_H

#include <stdbool.h>
#include <glib.h>

typedef enum {
	CMD_UNKNOWN = 0,
	CMD_CASE, CMD_ACCEPT, CMD_REJECT, CMD_DUPLICATE_OF, CMD_NEED_INFO, CMD_INFO,
	CMD_ADD_VENDOR, CMD_PIN_KEY, CMD_STATUS, CMD_PRODUCT, CMD_STATEMENT,
	CMD_ADVISORY_URL, CMD_SHARE, CMD_PROPOSE_DATE, CMD_AGREE_DATE, CMD_OBJECT_DATE,
	CMD_SET_DATE, CMD_DRAFT, CMD_PUBLISHED, CMD_CREDIT, CMD_CVE, CMD_ALIAS,
	CMD_EMBARGO_BREAK, CMD_PUBLISH_NOW, CMD_HOLD, CMD_RESUME, CMD_CLOSE,
	CMD_REMOVE_VENDOR,     /* beyond DESIGN §5: a vendor named by mistake */
	CMD__COUNT
} command_kind;

typedef struct {
	command_kind kind;
	char *key;      /* as written */
	char *value;    /* trimmed; multi-line for Statement */
	int line;
} command;

typedef struct {
	GPtrArray *cmds;        /* command *, in order, CMD_CASE included */
	char *case_tag;         /* value of Case:, or NULL */
	int case_count;
	char *error;            /* a structural problem, e.g. unterminated Statement */
} command_block;

/* Parse TEXT (UTF-8). Never NULL; an empty block has no commands. */
command_block *commands_parse(const char *text);
void command_block_free(command_block *b);

const char *command_name(command_kind k);
command_kind command_lookup(const char *key);
/* Alias -> command name (keys case-folded), from the rules; may be NULL. */
void commands_set_aliases(GHashTable *aliases);
/* Does the command carry free text (which must travel encrypted)? */
bool command_carries_details(command_kind k);

#endif
