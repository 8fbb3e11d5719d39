/* Outgoing links: one per (--peer URL, store), reconnected with capped exponential backoff
 * and jitter. Its state is logged only when it changes, so a peer that stays down for a day
 * costs two lines, not thousands. */
#include "node.h"

#include <stdio.h>
#include <string.h>

enum { BACKOFF_FIRST_MS = 500, BACKOFF_CAP_MS = 30000 };

/* What was logged last about a dial. */
enum { LOGGED_NOTHING, LOGGED_UP, LOGGED_DOWN };

unsigned node_backoff_ms(unsigned failures, uint32_t random)
{
    unsigned delay = BACKOFF_CAP_MS;
    if (failures < 16) {
        unsigned doubled = BACKOFF_FIRST_MS << (failures > 0 ? failures - 1 : 0);
        if (doubled < delay)
            delay = doubled;
    }
    /* Between 75% and 100%: never longer than the cap, never a thundering herd. */
    return delay - delay / 4 + (unsigned)(random % (delay / 4 + 1));
}

static void connect_now(lws_sorted_usec_list_t *sul)
{
    node_dial *dial = lws_container_of(sul, node_dial, retry);
    struct lws_client_connect_info info;
    memset(&info, 0, sizeof info);
    info.context = dial->hub->context;
    info.address = dial->addr.host;
    info.port = dial->addr.port;
    info.path = dial->addr.path;
    info.host = dial->addr.host;
    info.origin = dial->addr.host;
    info.protocol = NODE_SUBPROTOCOL;
    info.local_protocol_name = NODE_SUBPROTOCOL;
    info.ssl_connection = dial->addr.tls ? LCCSCF_USE_SSL : 0;
    info.opaque_user_data = dial;
    dial->active = true;
    /* lws may report a failure through the callback before it returns NULL. */
    if (lws_client_connect_via_info(&info) == NULL && dial->active)
        node_dial_lost(dial, "cannot start connecting");
}

void node_dial_start(node_dial *dial)
{
    unsigned delay_ms = 0;
    if (dial->failures > 0) {
        uint32_t random = 0;
        dial->hub->platform.random_bytes(dial->hub->platform.user, (uint8_t *)&random,
                                         sizeof random);
        delay_ms = node_backoff_ms(dial->failures, random);
    }
    lws_sul_schedule(dial->hub->context, 0, &dial->retry, connect_now,
                     (lws_usec_t)delay_ms * LWS_US_PER_MS);
}

void node_dial_ready(node_dial *dial)
{
    dial->failures = 0;
    if (!dial->once && dial->last_state != LOGGED_UP)
        node_log("peer %s: syncing store %s", dial->url, dial->label);
    dial->last_state = LOGGED_UP;
}

void node_dial_lost(node_dial *dial, const char *why)
{
    if (!dial->active)
        return;
    dial->active = false;
    dial->link = NULL;
    if (dial->hub->stopping)
        return;
    if (dial->once) {
        snprintf(dial->why, sizeof dial->why, "%s", why);
        dial->ended = true;
        return;
    }
    dial->failures++;
    if (dial->last_state != LOGGED_DOWN)
        node_log("peer %s: store %s %s (%s); reconnecting with backoff", dial->url,
                 dial->label, dial->last_state == LOGGED_UP ? "disconnected" : "unreachable",
                 why);
    dial->last_state = LOGGED_DOWN;
    node_dial_start(dial);
}
