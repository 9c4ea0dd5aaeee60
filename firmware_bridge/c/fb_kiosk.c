/* The kiosk board's MCU side; see fb_kiosk.h and docs/firmware-protocol.md. */
#include "fb_kiosk.h"

#include <string.h>

#define MSG_SYNC 0x03u
#define MSG_SYNCED 0x04u
#define MSG_HEARTBEAT 0x05u
#define MSG_BOOT 0x06u
#define MSG_IDENTIFY 0x10u
#define MSG_RESPONSE 0x40u
#define MSG_EVENT 0x41u
#define SYNCED_FAILSAFE 0x01u

enum { ST_OK = 0, ST_BAD_ARGS = 1, ST_UNKNOWN = 2, ST_JAMMED = 3, ST_EMPTY = 4, ST_ESTOP = 5 };
enum { CMD_FEED = 0x20, CMD_EJECT, CMD_LIGHT, CMD_TOWER, CMD_DOOR, CMD_SENSORS, CMD_ECHO };

/* Served verbatim by identify; the same bytes as firmware_bridge.protocol.dictionary_bytes(). */
const char fb_dictionary[] =
    "{\"protocol\":1,\"firmware\":\"cez-kiosk-board 1.0\",\"timing\":{\"heartbeat_ms\":200,\"failsafe_ms\":"
    "1000},\"commands\":[{\"name\":\"identify\",\"id\":16,\"args\":[\"offset:u16\"],\"result\":[\"total:u16\",\""
    "chunk:bytes\"]},{\"name\":\"feeder.feed\",\"id\":32,\"args\":[],\"result\":[]},{\"name\":\"feeder.eject\""
    ",\"id\":33,\"args\":[],\"result\":[]},{\"name\":\"light.set\",\"id\":34,\"args\":[\"level:u8\"],\"result\":["
    "]},{\"name\":\"tower.set\",\"id\":35,\"args\":[\"color:u8\"],\"result\":[]},{\"name\":\"door.unlock\",\"id\""
    ":36,\"args\":[\"duration_ms:u16\"],\"result\":[]},{\"name\":\"sensors.read\",\"id\":37,\"args\":[],\"resu"
    "lt\":[\"presence:u8\",\"tamper:u8\",\"paper_low:u8\",\"estop:u8\"]},{\"name\":\"diag.echo\",\"id\":38,\"ar"
    "gs\":[\"token:u32\"],\"result\":[\"token:u32\",\"executed:u32\"]}],\"events\":[{\"name\":\"presence\",\"id"
    "\":1},{\"name\":\"tamper\",\"id\":2},{\"name\":\"paper_low\",\"id\":3},{\"name\":\"estop\",\"id\":4}]}"
    ;

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be(const uint8_t *p, uint8_t n)
{
    uint32_t v = 0;
    uint8_t i;
    for (i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static void send_boot(fb_mcu *m)
{
    uint8_t p[4];
    put_u32(p, m->boot_id);
    fb_link_send_now(&m->link, MSG_BOOT, p, 4, 0);
}

void fb_mcu_init(fb_mcu *m, uint32_t boot_id, uint8_t version, uint32_t now, fb_write_fn write, void *ctx)
{
    memset(m, 0, sizeof *m);
    fb_link_init(&m->link, write, ctx);
    fb_decoder_init(&m->decoder);
    m->boot_id = boot_id;
    m->version = version;
    m->last_rx = now;
    m->last_heartbeat = now;
    send_boot(m);
}

static void handle_sync(fb_mcu *m, const fb_frame *f, uint32_t now)
{
    uint8_t p[10];
    uint16_t nonce;
    if (f->len != 3) {
        return;
    }
    nonce = (uint16_t)get_be(f->payload + 1, 2);
    if (f->payload[0] == m->version && !(m->has_nonce && nonce == m->nonce)) {
        m->has_nonce = 1;
        m->nonce = nonce;
        fb_link_reset(&m->link);
        m->synced = 1;
        m->last_rx = now;
        m->last_heartbeat = now;
    }
    p[0] = m->version;
    p[1] = (uint8_t)(nonce >> 8);
    p[2] = (uint8_t)nonce;
    put_u32(p + 3, m->boot_id);
    p[7] = m->failsafe ? SYNCED_FAILSAFE : 0u;
    p[8] = (uint8_t)(m->failsafe_trips >> 8);
    p[9] = (uint8_t)m->failsafe_trips;
    fb_link_send_now(&m->link, MSG_SYNCED, p, sizeof p, 0);
    if (m->synced) {
        m->failsafe = 0;
    }
}

/* Runs one command; writes the result into out and returns the status. */
static uint8_t execute(fb_mcu *m, uint8_t id, const uint8_t *args, uint8_t n, uint8_t *out, uint8_t *out_len,
                       uint32_t now)
{
    fb_mechanism *mech = &m->mech;
    uint32_t total = (uint32_t)(sizeof fb_dictionary - 1u), offset, value;
    uint8_t i;
    static const uint8_t arg_sizes[] = {0, 0, 1, 1, 2, 0, 4}; /* CMD_FEED .. CMD_ECHO */
    *out_len = 0;
    if (id == MSG_IDENTIFY) {
        if (n != 2 || (offset = get_be(args, 2)) > total) {
            return ST_BAD_ARGS;
        }
        value = total - offset < FB_IDENTIFY_CHUNK ? total - offset : FB_IDENTIFY_CHUNK;
        out[0] = (uint8_t)(total >> 8);
        out[1] = (uint8_t)total;
        memcpy(out + 2, fb_dictionary + offset, value);
        *out_len = (uint8_t)(2u + value);
        return ST_OK;
    }
    if (id < CMD_FEED || id > CMD_ECHO) {
        return ST_UNKNOWN;
    }
    if (n != arg_sizes[id - CMD_FEED]) {
        return ST_BAD_ARGS;
    }
    value = get_be(args, n);
    switch (id) {
    case CMD_FEED:
    case CMD_EJECT:
        if (mech->sensors[3]) {
            return ST_ESTOP;
        }
        if (mech->jam) {
            return ST_JAMMED;
        }
        if (id == CMD_EJECT) {
            mech->ejects++;
            return ST_OK;
        }
        if (mech->empty) {
            return ST_EMPTY;
        }
        mech->feeds++;
        return ST_OK;
    case CMD_LIGHT:
        mech->light = (uint8_t)value;
        return ST_OK;
    case CMD_TOWER:
        if (value > 3u) {
            return ST_BAD_ARGS;
        }
        mech->tower = (uint8_t)value;
        return ST_OK;
    case CMD_DOOR:
        if (value == 0 || value > FB_DOOR_MAX_MS) {
            return ST_BAD_ARGS;
        }
        mech->door_unlocked = 1;
        mech->door_relock_at = now + value;
        return ST_OK;
    case CMD_SENSORS:
        for (i = 0; i < FB_SENSORS; i++) {
            out[i] = mech->sensors[i];
        }
        *out_len = FB_SENSORS;
        return ST_OK;
    default: /* CMD_ECHO */
        put_u32(out, value);
        put_u32(out + 4, m->executed);
        *out_len = 8;
        return ST_OK;
    }
}

static void command(fb_mcu *m, const fb_frame *f, uint32_t now)
{
    uint8_t response[FB_MAX_PAYLOAD];
    uint8_t result_len = 0;
    m->executed++;
    if (f->len < 2) {
        response[0] = 0;
        response[1] = 0;
        response[2] = ST_BAD_ARGS;
    } else {
        response[0] = f->payload[0];
        response[1] = f->payload[1];
        response[2] = execute(m, f->msg, f->payload + 2, (uint8_t)(f->len - 2u), response + 3, &result_len, now);
    }
    (void)fb_link_send(&m->link, MSG_RESPONSE, response, (uint8_t)(3u + result_len));
}

static void frame(fb_mcu *m, const fb_frame *f, uint32_t now)
{
    if (f->msg == MSG_SYNC) {
        handle_sync(m, f, now);
        return;
    }
    if (!m->synced) {
        if (f->msg >= FB_SEQUENCED_BASE) {
            send_boot(m);
        }
        return;
    }
    m->last_rx = now;
    if (f->msg < FB_SEQUENCED_BASE && f->msg != FB_ACK && f->msg != FB_NAK) {
        return;
    }
    /* A command is accepted only when its response, and those of the frames kept behind it, have a
     * slot; otherwise it stays unacked and comes again. */
    if (fb_link_is_next(&m->link, f) && fb_link_free_slots(&m->link) <= m->link.kept_count) {
        return;
    }
    if (fb_link_receive(&m->link, f, now)) {
        fb_frame kept;
        command(m, f, now);
        while (fb_link_next(&m->link, &kept, now)) {
            command(m, &kept, now);
        }
    }
}

void fb_mcu_rx(fb_mcu *m, const uint8_t *data, size_t len, uint32_t now)
{
    fb_frame f;
    size_t i;
    for (i = 0; i < len; i++) {
        int got = fb_decoder_byte(&m->decoder, data[i], &f);
        if (got > 0) {
            frame(m, &f, now);
        } else if (got < 0 && m->synced) {
            fb_link_nak(&m->link, now, 0);
        }
    }
    fb_mcu_poll(m, now);
}

void fb_mcu_poll(fb_mcu *m, uint32_t now)
{
    if (m->synced && now - m->last_rx >= FB_FAILSAFE_MS) {
        m->mech.light = 0;
        m->mech.tower = FB_SAFE_TOWER;
        m->mech.door_unlocked = 0;
        m->failsafe = 1;
        m->failsafe_trips++;
        m->synced = 0;
        m->has_nonce = 0;
        fb_link_reset(&m->link);
    }
    if (m->mech.door_unlocked && (int32_t)(now - m->mech.door_relock_at) >= 0) {
        m->mech.door_unlocked = 0;
    }
    if (m->synced && now - m->last_heartbeat >= FB_HEARTBEAT_MS) {
        m->last_heartbeat = now;
        fb_link_send_now(&m->link, MSG_HEARTBEAT, 0, 0, 0);
    }
    fb_link_poll(&m->link, now);
}

void fb_mcu_set_sensor(fb_mcu *m, uint8_t index, uint8_t value)
{
    uint8_t p[2];
    if (index >= FB_SENSORS || m->mech.sensors[index] == value) {
        return;
    }
    m->mech.sensors[index] = value;
    if (m->synced) {
        p[0] = (uint8_t)(index + 1u);
        p[1] = value;
        (void)fb_link_send(&m->link, MSG_EVENT, p, 2);
    }
}
