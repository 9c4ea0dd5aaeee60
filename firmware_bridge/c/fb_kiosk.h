/* The kiosk board's MCU side: sync, identify, heartbeats, failsafe, commands and sensor events.
 *
 * Portable C99, no malloc. A board port calls fb_mcu_rx() with received bytes, fb_mcu_poll() at
 * least every few milliseconds, fb_mcu_set_sensor() on input changes, and drives its outputs from
 * mcu->mech after each call. Mirrors firmware_bridge/mcu.py.
 */
#ifndef FB_KIOSK_H
#define FB_KIOSK_H

#include "fb_link.h"

#define FB_PROTOCOL_VERSION 1u
#define FB_HEARTBEAT_MS 200u
#define FB_FAILSAFE_MS 1000u
#define FB_DOOR_MAX_MS 60000u
#define FB_IDENTIFY_CHUNK 96u
#define FB_SENSORS 4u /* presence, tamper, paper_low, estop: event ids 1..4 */
#define FB_SAFE_TOWER 3u

typedef struct {
    uint8_t light;
    uint8_t tower; /* 0 off, 1 green, 2 yellow, 3 red */
    uint8_t door_unlocked;
    uint32_t door_relock_at;
    uint32_t feeds;
    uint32_t ejects;
    uint8_t jam;
    uint8_t empty;
    uint8_t sensors[FB_SENSORS];
} fb_mechanism;

typedef struct {
    fb_link link;
    fb_decoder decoder;
    fb_mechanism mech;
    uint32_t boot_id;
    uint8_t version;
    uint8_t synced;
    uint8_t failsafe;
    uint16_t failsafe_trips;
    uint32_t executed;
    uint8_t has_nonce;
    uint16_t nonce;
    uint32_t last_rx;
    uint32_t last_heartbeat;
} fb_mcu;

extern const char fb_dictionary[];

void fb_mcu_init(fb_mcu *m, uint32_t boot_id, uint8_t version, uint32_t now, fb_write_fn write, void *ctx);
void fb_mcu_rx(fb_mcu *m, const uint8_t *data, size_t len, uint32_t now);
void fb_mcu_poll(fb_mcu *m, uint32_t now);
/* index 0..3 = presence, tamper, paper_low, estop; value 0 or 1. */
void fb_mcu_set_sensor(fb_mcu *m, uint8_t index, uint8_t value);

#endif
