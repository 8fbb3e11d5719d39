/* The fixed workloads of fixtures.h. */
#include "fixtures.h"

#include <stdio.h>
#include <string.h>

static int64_t fixed_now(void *user)
{
    (void)user;
    return 1700000000000;
}

static hy_err counter_random(void *user, uint8_t *buf, size_t len)
{
    uint64_t *state = user;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)((*state += 0x9e3779b97f4a7c15u) >> 56);
    return HY_OK;
}

hy_store_config fixture_config(fixture_env *env, uint64_t seed)
{
    env->random_state = seed;
    env->platform.version = HY_PLATFORM_VERSION;
    env->platform.user = &env->random_state;
    env->platform.now_ms = fixed_now;
    env->platform.random_bytes = counter_random;
    hy_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = hy_allocator_counting(&env->count);
    cfg.platform = &env->platform;
    return cfg;
}

hy_store *fixture_store(fixture_env *env, uint64_t seed)
{
    hy_store_config cfg = fixture_config(env, seed);
    hy_store *s = NULL;
    return hy_store_new(&cfg, &s) == HY_OK ? s : NULL;
}

static void record_key(char *key, size_t cap, size_t i)
{
    snprintf(key, cap, "r%zu", i);
}

hy_err fixture_write_ops(hy_store *s, size_t ops, size_t ops_per_change)
{
    char key[32];
    hy_err err = HY_OK;
    for (size_t i = 0; err == HY_OK && i < ops; i += ops_per_change) {
        err = hy_txn_begin(s);
        for (size_t k = i; err == HY_OK && k < i + ops_per_change && k < ops; k++) {
            hy_value v = { .type = HY_TYPE_INT, .as.integer = (int64_t)k };
            record_key(key, sizeof key, k % 1000);
            err = hy_put(s, "items", key, "n", &v);
        }
        err = err ? (hy_txn_rollback(s), err) : hy_txn_commit(s);
    }
    return err;
}

hy_err fixture_write_records(hy_store *s, size_t records)
{
    char key[32];
    hy_err err = HY_OK;
    for (size_t r = 0; err == HY_OK && r < records; r += 1000) {
        err = hy_txn_begin(s);
        for (size_t i = r; err == HY_OK && i < r + 1000; i++) {
            record_key(key, sizeof key, i);
            hy_value title = { .type = HY_TYPE_STRING,
                               .as.bytes = { (const uint8_t *)"a task title", 12 } };
            hy_value done = { .type = HY_TYPE_BOOL, .as.boolean = (int)(i & 1) };
            err = hy_put(s, "tasks", key, "title", &title);
            if (err == HY_OK)
                err = hy_put(s, "tasks", key, "done", &done);
            if (err == HY_OK)
                err = hy_counter_add(s, "tasks", key, "votes", 1);
        }
        err = err ? (hy_txn_rollback(s), err) : hy_txn_commit(s);
    }
    return err;
}

hy_err fixture_type_text(hy_store *s, size_t keystrokes)
{
    uint64_t rng = 0x2545f4914f6cdd1du;
    size_t len = 0, cursor = 0;
    hy_err err = HY_OK;
    for (size_t i = 0; err == HY_OK && i < keystrokes; i++) {
        rng ^= rng << 13; /* xorshift64: a fixed walk, the same on every platform */
        rng ^= rng >> 7;
        rng ^= rng << 17;
        unsigned roll = (unsigned)(rng >> 32) % 100;
        if (roll < 5 && len > 0) /* a jump, then typing there */
            cursor = (size_t)(rng & 0xffffffffu) % (len + 1);
        if (roll >= 5 && roll < 12 && cursor > 0) { /* a backspace */
            err = hy_text_delete(s, "doc", "d1", "body", --cursor, 1);
            len--;
        } else {
            char c = (char)('a' + roll % 26);
            err = hy_text_insert(s, "doc", "d1", "body", cursor++, roll < 20 ? " " : &c, 1);
            len++;
        }
    }
    return err;
}
