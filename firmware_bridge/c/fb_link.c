/* Framing and the reliable link; see fb_link.h and docs/firmware-protocol.md. */
#include "fb_link.h"

#include <string.h>

#define HALF_SPACE 128u

uint16_t fb_crc16(const uint8_t *data, size_t len)
{
    uint16_t crc = 0xFFFFu;
    size_t i;
    int bit;
    for (i = 0; i < len; i++) {
        crc = (uint16_t)(crc ^ (uint16_t)(data[i] << 8));
        for (bit = 0; bit < 8; bit++) {
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
        }
    }
    return crc;
}

size_t fb_cobs_encode(const uint8_t *in, size_t len, uint8_t *out)
{
    size_t code_at = 0, n = 1, i;
    uint8_t code = 1;
    out[0] = 0;
    for (i = 0; i < len; i++) {
        if (in[i] != 0) {
            out[n++] = in[i];
            code++;
        }
        if (in[i] == 0 || code == 0xFFu) {
            out[code_at] = code;
            code_at = n++;
            out[code_at] = 0;
            code = 1;
        }
    }
    out[code_at] = code;
    return n;
}

long fb_cobs_decode(const uint8_t *in, size_t len, uint8_t *out)
{
    size_t i = 0, n = 0, j;
    while (i < len) {
        uint8_t code = in[i];
        if (code == 0 || i + code > len) {
            return -1;
        }
        for (j = i + 1; j < i + code; j++) {
            if (in[j] == 0) {
                return -1;
            }
            out[n++] = in[j];
        }
        i += code;
        if (code < 0xFFu && i < len) {
            out[n++] = 0;
        }
    }
    return (long)n;
}

size_t fb_frame_encode(uint8_t seq, uint8_t msg, const uint8_t *payload, uint8_t len, uint8_t *out)
{
    uint8_t body[FB_MAX_BODY];
    uint16_t crc;
    size_t n;
    body[0] = len;
    body[1] = seq;
    body[2] = msg;
    if (len > 0) {
        memcpy(body + FB_HEADER, payload, len);
    }
    crc = fb_crc16(body, FB_HEADER + len);
    body[FB_HEADER + len] = (uint8_t)(crc >> 8);
    body[FB_HEADER + len + 1u] = (uint8_t)(crc & 0xFFu);
    n = fb_cobs_encode(body, FB_HEADER + len + FB_TRAILER, out);
    out[n++] = 0;
    return n;
}

void fb_decoder_init(fb_decoder *d)
{
    d->n = 0;
    d->overflow = 0;
    d->rejected = 0;
}

static int decode_body(const uint8_t *stuffed, size_t n, fb_frame *out)
{
    uint8_t body[FB_MAX_ENCODED];
    long len = fb_cobs_decode(stuffed, n, body);
    uint16_t crc;
    if (len < (long)(FB_HEADER + FB_TRAILER) || body[0] != (uint8_t)(len - (long)(FB_HEADER + FB_TRAILER))
        || body[0] > FB_MAX_PAYLOAD) {
        return 0;
    }
    crc = fb_crc16(body, (size_t)len - FB_TRAILER);
    if (body[len - 2] != (uint8_t)(crc >> 8) || body[len - 1] != (uint8_t)(crc & 0xFFu)) {
        return 0;
    }
    out->len = body[0];
    out->seq = body[1];
    out->msg = body[2];
    memcpy(out->payload, body + FB_HEADER, out->len);
    return 1;
}

int fb_decoder_byte(fb_decoder *d, uint8_t byte, fb_frame *out)
{
    int result = 0;
    if (byte != 0) {
        if (d->n < sizeof d->buf) {
            d->buf[d->n++] = byte;
        } else {
            d->overflow = 1;
        }
        return 0;
    }
    if (d->n > 0 || d->overflow) {
        result = (!d->overflow && decode_body(d->buf, d->n, out)) ? 1 : -1;
        if (result < 0) {
            d->rejected++;
        }
    }
    d->n = 0;
    d->overflow = 0;
    return result;
}

void fb_link_init(fb_link *l, fb_write_fn write, void *ctx)
{
    memset(l, 0, sizeof *l);
    l->write = write;
    l->write_ctx = ctx;
    l->rto_ms = FB_RTO_INITIAL_MS;
    l->estimate_ms = FB_RTO_INITIAL_MS;
}

void fb_link_reset(fb_link *l)
{
    l->head = 0;
    l->unacked = 0;
    l->count = 0;
    l->tx_next = 0;
    l->rx_expected = 0;
    l->nak_sent = 0;
    l->kept_count = 0;
    memset(l->kept_valid, 0, sizeof l->kept_valid);
}

uint8_t fb_link_free_slots(const fb_link *l)
{
    return (uint8_t)(FB_TX_SLOTS - l->count);
}

int fb_link_send(fb_link *l, uint8_t msg, const uint8_t *payload, uint8_t len)
{
    fb_tx_slot *slot;
    if (l->count >= FB_TX_SLOTS || len > FB_MAX_PAYLOAD) {
        return -1;
    }
    slot = &l->slots[(l->head + l->count) % FB_TX_SLOTS];
    slot->msg = msg;
    slot->len = len;
    if (len > 0) {
        memcpy(slot->payload, payload, len);
    }
    l->count++;
    return 0;
}

void fb_link_send_now(fb_link *l, uint8_t msg, const uint8_t *payload, uint8_t len, uint8_t seq)
{
    uint8_t wire[FB_MAX_WIRE];
    size_t n = fb_frame_encode(seq, msg, payload, len, wire);
    l->write(l->write_ctx, wire, n);
}

static void transmit(fb_link *l, fb_tx_slot *slot, uint32_t now)
{
    slot->sent_at = now;
    fb_link_send_now(l, slot->msg, slot->payload, slot->len, slot->seq);
}

static uint32_t clamp_rto(uint32_t ms)
{
    return ms < FB_RTO_MIN_MS ? FB_RTO_MIN_MS : (ms > FB_RTO_MAX_MS ? FB_RTO_MAX_MS : ms);
}

static void rtt_sample(fb_link *l, uint32_t rtt_ms)
{
    uint32_t r = rtt_ms * 1000u, diff, var4;
    if (l->srtt_us == 0) {
        l->srtt_us = r > 0 ? r : 1u;
        l->rttvar_us = r / 2u;
    } else {
        diff = l->srtt_us > r ? l->srtt_us - r : r - l->srtt_us;
        l->rttvar_us = (3u * l->rttvar_us + diff) / 4u;
        l->srtt_us = (7u * l->srtt_us + r) / 8u;
    }
    var4 = 4u * l->rttvar_us;
    l->rto_ms = clamp_rto((l->srtt_us + (var4 > 1000u ? var4 : 1000u) + 999u) / 1000u);
    l->estimate_ms = l->rto_ms;
}

static void retransmit_oldest(fb_link *l, uint32_t now)
{
    fb_tx_slot *slot = &l->slots[l->head];
    slot->retransmitted = 1;
    transmit(l, slot, now);
    l->retransmits++;
    l->timer_start = now;
    l->last_retransmit = now;
    l->retransmitted_ever = 1;
}

static void acked(fb_link *l, uint8_t next_expected, uint32_t now)
{
    uint8_t count, i;
    fb_tx_slot *newest = 0;
    if (l->unacked == 0) {
        return;
    }
    count = (uint8_t)(next_expected - l->slots[l->head].seq);
    if (count == 0 || count > l->unacked) {
        return;
    }
    for (i = 0; i < count; i++) {
        newest = &l->slots[l->head];
        l->head = (uint8_t)((l->head + 1u) % FB_TX_SLOTS);
        l->unacked--;
        l->count--;
    }
    if (newest != 0 && !newest->retransmitted
        && (!l->retransmitted_ever || (int32_t)(newest->sent_at - l->last_retransmit) > 0)) {
        rtt_sample(l, now - newest->sent_at);
    } else if (l->srtt_us != 0) {
        l->rto_ms = l->estimate_ms;
    }
    l->timer_start = now;
}

int fb_link_is_next(const fb_link *l, const fb_frame *f)
{
    return f->msg >= FB_SEQUENCED_BASE && f->seq == l->rx_expected;
}

void fb_link_nak(fb_link *l, uint32_t now, int again)
{
    if (!l->nak_sent || again) {
        l->nak_sent = 1;
        l->nak_at = now;
        fb_link_send_now(l, FB_NAK, 0, 0, l->rx_expected);
    }
}

int fb_link_receive(fb_link *l, const fb_frame *f, uint32_t now)
{
    uint8_t distance, slot;
    if (f->msg == FB_ACK) {
        acked(l, f->seq, now);
        return 0;
    }
    if (f->msg == FB_NAK) {
        fb_tx_slot *oldest = &l->slots[l->head];
        acked(l, f->seq, now);
        if (l->unacked > 0 && oldest->seq == f->seq
            && !(oldest->retransmitted && (now - oldest->sent_at) * 1000u < l->srtt_us)) {
            retransmit_oldest(l, now);
        }
        return 0;
    }
    distance = (uint8_t)(f->seq - l->rx_expected);
    if (distance >= HALF_SPACE) {
        l->duplicates++;
        fb_link_send_now(l, FB_ACK, 0, 0, l->rx_expected);
        return 0;
    }
    if (distance >= FB_WINDOW) {
        fb_link_nak(l, now, 0);
        return 0;
    }
    if (distance > 0) {
        slot = (uint8_t)(f->seq % FB_WINDOW);
        if (!l->kept_valid[slot]) {
            l->kept[slot] = *f;
            l->kept_valid[slot] = 1;
            l->kept_count++;
        }
        fb_link_nak(l, now, 0);
        return 0;
    }
    l->rx_expected++;
    return 1;
}

int fb_link_next(fb_link *l, fb_frame *out, uint32_t now)
{
    uint8_t slot = (uint8_t)(l->rx_expected % FB_WINDOW);
    if (l->kept_valid[slot] && l->kept[slot].seq == l->rx_expected) {
        *out = l->kept[slot];
        l->kept_valid[slot] = 0;
        l->kept_count--;
        l->rx_expected++;
        return 1;
    }
    l->nak_sent = 0;
    fb_link_send_now(l, FB_ACK, 0, 0, l->rx_expected);
    if (l->kept_count > 0) {
        fb_link_nak(l, now, 0);
    }
    return 0;
}

void fb_link_poll(fb_link *l, uint32_t now)
{
    if (l->kept_count > 0 && now - l->nak_at >= l->rto_ms) {
        fb_link_nak(l, now, 1);
    }
    if (l->unacked > 0 && now - l->timer_start >= l->rto_ms) {
        l->rto_ms = clamp_rto(l->rto_ms * 2u);
        retransmit_oldest(l, now);
    }
    while (l->unacked < l->count && l->unacked < FB_WINDOW) {
        fb_tx_slot *slot = &l->slots[(l->head + l->unacked) % FB_TX_SLOTS];
        slot->seq = l->tx_next++;
        slot->retransmitted = 0;
        if (l->unacked == 0) {
            l->timer_start = now;
        }
        l->unacked++;
        transmit(l, slot, now);
    }
}
