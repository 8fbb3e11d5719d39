/* Subscriptions: patches noted as edits apply, reported after each commit or merge to the
 * subscribers whose filters match. */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"
#include "utf8.h"

#include <string.h>

/* Patches are only gathered when someone listens, and not while a field is rebuilt. */
static bool listening(const hy_store *s)
{
    return s->subscriptions.len > 0 && s->only_field == UINT32_MAX;
}

static pending_patch patch_of(uint32_t index, hy_patch_kind kind)
{
    pending_patch p;
    memset(&p, 0, sizeof p);
    p.field = index;
    p.kind = kind;
    return p;
}

void store_note_patch(hy_store *s, uint32_t index, hy_patch_kind kind, int64_t delta)
{
    if (!listening(s))
        return;
    pending_patch p = patch_of(index, kind);
    p.delta = delta;
    hy_vec_push(&s->patches, &s->alloc, &p);
}

void store_note_text(hy_store *s, uint32_t index, hy_patch_kind kind, size_t at, size_t count,
                     const uint32_t *inserted)
{
    if (!listening(s))
        return;
    pending_patch p = patch_of(index, kind);
    p.index = at;
    p.count = count;
    /* In UTF-16 too, now: a later edit in the same delivery would shift a later conversion.
     * The field's text holds at least `at` code points, so this cannot fail. */
    const hy_seq *text = store_field_more(store_field_at(s, index))->text;
    if (text && (kind == HY_PATCH_TEXT_INSERT || kind == HY_PATCH_TEXT_DELETE))
        (void)hy_seq_pos_to_utf16(text, at, &p.index_utf16);
    if (inserted) {
        for (size_t i = 0; i < count; i++)
            p.text_len += hy_utf8_len(inserted[i]);
        p.text = hy_alloc(&s->alloc, p.text_len);
        if (p.text == NULL)
            return;
        for (size_t i = 0, at8 = 0; i < count; i++)
            at8 += hy_utf8_encode(inserted[i], p.text + at8);
    }
    if (hy_vec_push(&s->patches, &s->alloc, &p))
        hy_free(&s->alloc, p.text, p.text_len);
}

/* Notes a patch that owns bytes (taken over, freed with it). */
static void note_bytes(hy_store *s, pending_patch *p, uint8_t *bytes, size_t len)
{
    p->text = bytes;
    p->text_len = len;
    if (hy_vec_push(&s->patches, &s->alloc, p))
        hy_free(&s->alloc, bytes, len);
}

void store_note_value(hy_store *s, uint32_t index, hy_patch_kind kind, size_t at,
                      const hy_value *v)
{
    if (!listening(s))
        return;
    /* The value is kept encoded (one allocation) and decoded when it is reported. */
    hy_writer w;
    hy_writer_init(&w, s->alloc);
    store_value_write(&w, v);
    uint8_t *bytes;
    size_t len;
    if (hy_writer_take(&w, &bytes, &len) != HY_OK)
        return;
    pending_patch p = patch_of(index, kind);
    p.index = at;
    p.count = 1;
    note_bytes(s, &p, bytes, len);
}

void store_note_entry(hy_store *s, uint32_t index, const char *name, size_t len)
{
    if (!listening(s))
        return;
    uint8_t *copy = hy_alloc(&s->alloc, len + 1);
    if (copy == NULL)
        return;
    memcpy(copy, name, len);
    copy[len] = '\0';
    pending_patch p = patch_of(index, HY_PATCH_MAP_SET);
    note_bytes(s, &p, copy, len + 1);
}

static void free_patches(hy_store *s, hy_vec *patches, size_t from)
{
    for (size_t i = from; i < patches->len; i++) {
        pending_patch *p = hy_vec_at(patches, i);
        hy_free(&s->alloc, p->text, p->text_len);
    }
    patches->len = from;
}

void store_drop_patches(hy_store *s, size_t from)
{
    free_patches(s, &s->patches, from);
}

static char *copy_filter(hy_store *s, const char *name, hy_err *err)
{
    if (name == NULL)
        return NULL;
    size_t len = strlen(name) + 1;
    char *copy = hy_alloc(&s->alloc, len);
    if (copy == NULL)
        *err = HY_E_NOMEM;
    else
        memcpy(copy, name, len);
    return copy;
}

static void free_filters(hy_store *s, subscription *sub)
{
    for (int i = 0; i < 3; i++)
        if (sub->filter[i])
            hy_free(&s->alloc, sub->filter[i], strlen(sub->filter[i]) + 1);
}

hy_err hy_subscribe(hy_store *s, const char *collection, const char *key, const char *name,
                    hy_subscriber fn, void *user, uint32_t *id)
{
    if (fn == NULL)
        return HY_E_INVALID_ARG;
    subscription sub;
    memset(&sub, 0, sizeof sub);
    hy_err err = HY_OK;
    sub.filter[0] = copy_filter(s, collection, &err);
    sub.filter[1] = copy_filter(s, key, &err);
    sub.filter[2] = copy_filter(s, name, &err);
    sub.id = ++s->next_subscription;
    sub.fn = fn;
    sub.user = user;
    if (err == HY_OK)
        err = hy_vec_push(&s->subscriptions, &s->alloc, &sub);
    if (err) {
        free_filters(s, &sub);
        return err;
    }
    if (id)
        *id = sub.id;
    return HY_OK;
}

/* Drops unsubscribed entries; only outside a delivery, which walks the vector. */
static void compact(hy_store *s)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->subscriptions.len; i++) {
        subscription *sub = &HY_VEC_AT(&s->subscriptions, subscription, i);
        if (sub->fn)
            HY_VEC_AT(&s->subscriptions, subscription, kept++) = *sub;
        else
            free_filters(s, sub);
    }
    s->subscriptions.len = kept;
}

hy_err hy_unsubscribe(hy_store *s, uint32_t id)
{
    for (size_t i = 0; i < s->subscriptions.len; i++) {
        subscription *sub = &HY_VEC_AT(&s->subscriptions, subscription, i);
        if (sub->id == id && sub->fn) {
            sub->fn = NULL;
            if (!s->delivering)
                compact(s);
            return HY_OK;
        }
    }
    return HY_E_NOT_FOUND;
}

static bool matches(const subscription *sub, const field *f)
{
    for (int i = 0; i < 3; i++)
        if (sub->filter[i] && strcmp(sub->filter[i], store_path_name(f->path, i)) != 0)
            return false;
    return true;
}

/* The patch as subscribers see it, from the field's state now. */
static hy_patch describe(const hy_store *s, const pending_patch *p)
{
    const field *f = store_field_at(s, p->field);
    hy_patch out;
    memset(&out, 0, sizeof out);
    out.collection = store_path_name(f->path, 0);
    out.key = store_path_name(f->path, 1);
    out.field = store_path_name(f->path, 2);
    out.kind = p->kind;
    out.delta = p->delta;
    out.index = p->index;
    out.index_utf16 = p->index_utf16;
    out.count = p->count;
    out.text = (const char *)p->text;
    out.text_len = p->text_len;
    if (p->kind == HY_PATCH_ELEMENT_ADD || p->kind == HY_PATCH_ELEMENT_REMOVE ||
        p->kind == HY_PATCH_LIST_INSERT) {
        /* The value as noted (it may have left the set or list since): its encoding
         * decodes. */
        hy_reader r = hy_reader_make(p->text, p->text_len);
        store_value_read(&r, &out.value);
        out.text = NULL;
        out.text_len = 0;
        return out;
    }
    if (p->kind == HY_PATCH_MAP_SET) {
        /* As a register patch: the entry as it is now, its winner or its removal. */
        out.name = (const char *)p->text;
        out.text = NULL;
        out.text_len = 0;
        const map_entry *e = store_map_find(store_field_more(f), out.name, p->text_len - 1);
        if (e)
            out.value = store_entry_value(store_reg_at(&e->reg, 0));
        else
            out.kind = HY_PATCH_MAP_REMOVE;
        return out;
    }
    /* A register patch reports the field as it is now: its winner, or its removal. */
    const reg *r = store_field_reg(f);
    if (p->kind == HY_PATCH_SET && store_reg_len(r))
        out.value = store_entry_value(store_reg_at(r, 0));
    else if (p->kind == HY_PATCH_SET)
        out.kind = HY_PATCH_REMOVE;
    return out;
}

void store_deliver(hy_store *s)
{
    if (s->delivering)
        return; /* edits made by a callback are reported once it returns */
    s->delivering = true;
    while (s->patches.len) {
        hy_vec batch = s->patches; /* callbacks may note new patches meanwhile */
        hy_vec_init(&s->patches, sizeof(pending_patch));
        size_t subscribers = s->subscriptions.len;
        for (size_t i = 0; i < subscribers; i++) {
            subscription sub = HY_VEC_AT(&s->subscriptions, subscription, i);
            if (sub.fn == NULL)
                continue;
            s->delivered.len = 0;
            for (size_t k = 0; k < batch.len; k++) {
                const pending_patch *p = hy_vec_at(&batch, k);
                if (!matches(&sub, store_field_at(s, p->field)))
                    continue;
                hy_patch patch = describe(s, p);
                if (hy_vec_push(&s->delivered, &s->alloc, &patch))
                    break; /* out of memory: report what fits */
            }
            if (s->delivered.len)
                sub.fn(sub.user, s->delivered.data, s->delivered.len);
        }
        free_patches(s, &batch, 0);
        hy_vec_free(&batch, &s->alloc);
    }
    s->delivering = false;
    compact(s);
}

void store_subscriptions_free(hy_store *s)
{
    for (size_t i = 0; i < s->subscriptions.len; i++)
        free_filters(s, &HY_VEC_AT(&s->subscriptions, subscription, i));
    hy_vec_free(&s->subscriptions, &s->alloc);
    free_patches(s, &s->patches, 0);
    hy_vec_free(&s->patches, &s->alloc);
    hy_vec_free(&s->delivered, &s->alloc);
}
