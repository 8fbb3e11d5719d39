/* A field's state: a register or a counter inline in the field, or anything else (and the
 * state of several types at once) in a field_more the field points to. */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

/* The memory budget of a store of many small records rests on these (docs/decisions.md, "A
 * field is 48 bytes"). */
_Static_assert(sizeof(reg_entry) <= 24, "a register's value and id fit in 24 bytes");
_Static_assert(sizeof(field) <= 48, "a field fits in 48 bytes");

/* What a field without that state reads as. */
static const field_more no_more;

const reg *store_field_reg(const field *f)
{
    if (f->holds == HOLDS_REGISTER)
        return &f->as.reg;
    return &store_field_more(f)->reg;
}

int64_t store_field_counter(const field *f)
{
    if (f->holds == HOLDS_COUNTER)
        return f->as.counter;
    return store_field_more(f)->counter;
}

const field_more *store_field_more(const field *f)
{
    return f->holds == HOLDS_MORE ? f->as.more : &no_more;
}

hy_err store_field_more_mut(hy_store *s, field *f, field_more **out)
{
    if (f->holds != HOLDS_MORE) {
        field_more *m = hy_alloc_zero(&s->alloc, 1, sizeof *m);
        if (m == NULL)
            return HY_E_NOMEM;
        hy_vec_init(&m->list_values, sizeof(hy_value));
        hy_vec_init(&m->elements, sizeof(set_element));
        hy_vec_init(&m->map, sizeof(map_entry));
        if (f->holds == HOLDS_REGISTER)
            m->reg = f->as.reg;
        else if (f->holds == HOLDS_COUNTER)
            m->counter = f->as.counter;
        f->holds = HOLDS_MORE;
        f->as.more = m;
    }
    *out = f->as.more;
    return HY_OK;
}

hy_err store_field_reg_mut(hy_store *s, field *f, reg **out)
{
    if (f->holds == HOLDS_NOTHING) {
        f->holds = HOLDS_REGISTER;
        memset(&f->as.reg, 0, sizeof f->as.reg);
    }
    if (f->holds == HOLDS_REGISTER) {
        *out = &f->as.reg;
        return HY_OK;
    }
    field_more *m;
    HY_TRY(store_field_more_mut(s, f, &m));
    *out = &m->reg;
    return HY_OK;
}

hy_err store_field_counter_mut(hy_store *s, field *f, int64_t **out)
{
    if (f->holds == HOLDS_NOTHING) {
        f->holds = HOLDS_COUNTER;
        f->as.counter = 0;
    }
    if (f->holds == HOLDS_COUNTER) {
        *out = &f->as.counter;
        return HY_OK;
    }
    field_more *m;
    HY_TRY(store_field_more_mut(s, f, &m));
    *out = &m->counter;
    return HY_OK;
}

bool store_field_accepts(const field *f, enum field_kind kind)
{
    return f->kind == kind || f->kind == FIELD_NONE ||
           (f->kind == FIELD_REGISTER && store_reg_len(store_field_reg(f)) == 0);
}

void store_field_clear(hy_store *s, field *f)
{
    if (f->holds == HOLDS_REGISTER) {
        store_register_free(s, &f->as.reg);
    } else if (f->holds == HOLDS_MORE) {
        field_more *m = f->as.more;
        store_register_free(s, &m->reg);
        hy_seq_free(m->text);
        store_list_free(s, m);
        store_set_free(s, m);
        store_map_free(s, m);
        hy_free(&s->alloc, m, sizeof *m);
    }
    f->holds = HOLDS_NOTHING;
    store_kind_assign(f, FIELD_NONE, (op_id){ 0, 0 });
}

op_id store_kind_id(const field *f)
{
    op_id id = { f->kind_actor, f->kind_counter };
    return id;
}

void store_kind_assign(field *f, enum field_kind kind, op_id id)
{
    f->kind = (uint8_t)kind;
    f->kind_actor = id.actor;
    f->kind_counter = id.counter;
}

int store_id_cmp(const hy_store *s, op_id a, op_id b)
{
    if (a.counter != b.counter)
        return a.counter > b.counter ? 1 : -1;
    if (a.actor == b.actor)
        return 0;
    /* Actor indexes differ between replicas; keys do not. */
    return memcmp(hy_log_actor_key(s->log, a.actor), hy_log_actor_key(s->log, b.actor),
                  HY_KEY_LEN);
}
