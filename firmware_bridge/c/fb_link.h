/* CEZ kiosk host<->MCU protocol: framing (COBS + CRC-16/CCITT) and the reliable link.
 *
 * Portable C99, no malloc, fixed buffers. Mirrors firmware_bridge/frame.py and link.py;
 * docs/firmware-protocol.md is the specification. Time is passed in as milliseconds
 * (any monotonic counter that wraps at 2^32).
 */
#ifndef FB_LINK_H
#define FB_LINK_H

#include <stddef.h>
#include <stdint.h>

#define FB_HEADER 3u
#define FB_TRAILER 2u
#define FB_MAX_PAYLOAD 120u
#define FB_MAX_BODY (FB_HEADER + FB_MAX_PAYLOAD + FB_TRAILER)
#define FB_MAX_ENCODED (FB_MAX_BODY + FB_MAX_BODY / 254u + 1u)
#define FB_MAX_WIRE (FB_MAX_ENCODED + 1u)

#define FB_WINDOW 8u
#define FB_TX_SLOTS 16u /* queued + unacknowledged frames */
#define FB_RTO_INITIAL_MS 200u
#define FB_RTO_MIN_MS 20u
#define FB_RTO_MAX_MS 2000u

#define FB_ACK 0x01u
#define FB_NAK 0x02u
#define FB_SEQUENCED_BASE 0x10u

typedef void (*fb_write_fn)(void *ctx, const uint8_t *data, size_t len);

typedef struct {
    uint8_t seq;
    uint8_t msg;
    uint8_t len;
    uint8_t payload[FB_MAX_PAYLOAD];
} fb_frame;

typedef struct {
    uint8_t buf[FB_MAX_ENCODED];
    size_t n;
    int overflow;
    uint32_t rejected;
} fb_decoder;

typedef struct {
    uint8_t msg;
    uint8_t len;
    uint8_t seq;
    uint8_t retransmitted;
    uint32_t sent_at;
    uint8_t payload[FB_MAX_PAYLOAD];
} fb_tx_slot;

typedef struct {
    fb_write_fn write;
    void *write_ctx;
    /* sender */
    fb_tx_slot slots[FB_TX_SLOTS];
    uint8_t head;     /* oldest slot */
    uint8_t unacked;  /* slots from head that are on the wire */
    uint8_t count;    /* unacked + queued */
    uint8_t tx_next;  /* next sequence number to assign */
    uint32_t timer_start;
    uint32_t last_retransmit; /* frames sent before it are not sampled (Karn) */
    uint8_t retransmitted_ever;
    /* RFC 6298 estimate, microseconds */
    uint32_t srtt_us;
    uint32_t rttvar_us;
    uint32_t rto_ms;      /* current, backed off after timeouts */
    uint32_t estimate_ms; /* from samples; the RTO returns to it when an ack makes progress */
    /* receiver: frames ahead of a gap are kept, one slot per sequence number modulo the window */
    uint8_t rx_expected;
    uint8_t nak_sent;
    uint32_t nak_at;
    uint8_t kept_count;
    uint8_t kept_valid[FB_WINDOW];
    fb_frame kept[FB_WINDOW];
    /* counters */
    uint32_t retransmits;
    uint32_t duplicates;
} fb_link;

uint16_t fb_crc16(const uint8_t *data, size_t len);
size_t fb_cobs_encode(const uint8_t *in, size_t len, uint8_t *out);
/* Returns the decoded length, or -1 when the input is not valid COBS. */
long fb_cobs_decode(const uint8_t *in, size_t len, uint8_t *out);
/* Encodes one frame with its delimiter into out (FB_MAX_WIRE bytes); returns the length. */
size_t fb_frame_encode(uint8_t seq, uint8_t msg, const uint8_t *payload, uint8_t len, uint8_t *out);

void fb_decoder_init(fb_decoder *d);
/* Feeds one byte: returns 1 when *out holds a good frame, 0 when not (yet), -1 for a rejected frame. */
int fb_decoder_byte(fb_decoder *d, uint8_t byte, fb_frame *out);

void fb_link_init(fb_link *l, fb_write_fn write, void *ctx);
void fb_link_reset(fb_link *l);
uint8_t fb_link_free_slots(const fb_link *l);
/* Queues a sequenced message; -1 when no slot is free. */
int fb_link_send(fb_link *l, uint8_t msg, const uint8_t *payload, uint8_t len);
/* Writes an unsequenced link message at once. */
void fb_link_send_now(fb_link *l, uint8_t msg, const uint8_t *payload, uint8_t len, uint8_t seq);
/* Handles ACK/NAK/sequenced frames. Returns 1 when `f` is the next in sequence: the caller handles it,
 * then calls fb_link_next() until it returns 0 (frames kept ahead of a gap, each exactly once). */
int fb_link_receive(fb_link *l, const fb_frame *f, uint32_t now);
/* The next kept frame now in sequence (1), or 0 after acknowledging everything delivered. */
int fb_link_next(fb_link *l, fb_frame *out, uint32_t now);
/* True when a sequenced frame would be delivered (the next expected number). */
int fb_link_is_next(const fb_link *l, const fb_frame *f);
/* NAK the next expected number once per gap (or again when `again`). */
void fb_link_nak(fb_link *l, uint32_t now, int again);
void fb_link_poll(fb_link *l, uint32_t now);

#endif
