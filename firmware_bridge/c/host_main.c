/* The C firmware as a host program: the board on a pty, driven and observed through stdio.
 *
 * Prints {"event": "ready", "path": "/dev/pts/N"}, then one {"event": "state", ...} JSON line per
 * actuator change; reads control lines on stdin (presence|tamper|paper_low|estop 0|1, jam 0|1,
 * empty 0|1, reboot, quit). Same stdio protocol as `python -m firmware_bridge.simulator`.
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -o fb_host host_main.c fb_kiosk.c fb_link.c
 */
#define _XOPEN_SOURCE 600

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fb_kiosk.h"

#define OUT_CAPACITY 65536u

static uint8_t out_buf[OUT_CAPACITY];
static size_t out_len;
static uint32_t rng_state;

static void buffer_write(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    if (out_len + len <= OUT_CAPACITY) { /* a full buffer loses frames, as a full UART FIFO would */
        memcpy(out_buf + out_len, data, len);
        out_len += len;
    }
}

static uint32_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

static uint32_t next_boot_id(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void print_state(const fb_mcu *m)
{
    static const char *const towers[] = {"off", "green", "yellow", "red"};
    printf("{\"event\": \"state\", \"light\": %u, \"tower\": \"%s\", \"door\": \"%s\", \"feeds\": %lu, "
           "\"ejects\": %lu, \"failsafe\": %s, \"boot_id\": %lu}\n",
           (unsigned)m->mech.light, towers[m->mech.tower & 3u], m->mech.door_unlocked ? "unlocked" : "locked",
           (unsigned long)m->mech.feeds, (unsigned long)m->mech.ejects, m->failsafe ? "true" : "false",
           (unsigned long)m->boot_id);
    fflush(stdout);
}

static int state_differs(const fb_mcu *a, const fb_mcu *b)
{
    return a->mech.light != b->mech.light || a->mech.tower != b->mech.tower
           || a->mech.door_unlocked != b->mech.door_unlocked || a->mech.feeds != b->mech.feeds
           || a->mech.ejects != b->mech.ejects || a->failsafe != b->failsafe || a->boot_id != b->boot_id;
}

/* Applies one control line; returns 0 to quit. */
static int control(fb_mcu *m, char *line, uint8_t version)
{
    static const char *const sensors[FB_SENSORS] = {"presence", "tamper", "paper_low", "estop"};
    char name[32];
    int value = -1;
    uint8_t i;
    if (sscanf(line, "%31s %d", name, &value) < 1) {
        return 1;
    }
    if (strcmp(name, "quit") == 0) {
        return 0;
    }
    if (strcmp(name, "reboot") == 0) {
        fb_mcu_init(m, next_boot_id(), version, now_ms(), buffer_write, 0);
        return 1;
    }
    if (value != 0 && value != 1) {
        fprintf(stderr, "bad control line: %s\n", line);
        return 1;
    }
    for (i = 0; i < FB_SENSORS; i++) {
        if (strcmp(name, sensors[i]) == 0) {
            fb_mcu_set_sensor(m, i, (uint8_t)value);
            return 1;
        }
    }
    if (strcmp(name, "jam") == 0) {
        m->mech.jam = (uint8_t)value;
    } else if (strcmp(name, "empty") == 0) {
        m->mech.empty = (uint8_t)value;
    } else {
        fprintf(stderr, "unknown control: %s\n", name);
    }
    return 1;
}

static int open_pty(int *master, int *slave)
{
    struct termios tio;
    const char *name;
    *master = posix_openpt(O_RDWR | O_NOCTTY);
    if (*master < 0 || grantpt(*master) != 0 || unlockpt(*master) != 0 || (name = ptsname(*master)) == 0) {
        return -1;
    }
    *slave = open(name, O_RDWR | O_NOCTTY);
    if (*slave < 0 || tcgetattr(*slave, &tio) != 0) {
        return -1;
    }
    tio.c_iflag &= (tcflag_t)~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    tio.c_oflag &= (tcflag_t)~OPOST;
    tio.c_lflag &= (tcflag_t)~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    tio.c_cflag &= (tcflag_t)~(CSIZE | PARENB);
    tio.c_cflag |= CS8;
    if (tcsetattr(*slave, TCSANOW, &tio) != 0) {
        return -1;
    }
    fcntl(*master, F_SETFL, fcntl(*master, F_GETFL) | O_NONBLOCK);
    printf("{\"event\": \"ready\", \"path\": \"%s\"}\n", name);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    static fb_mcu mcu;
    static fb_mcu shown;
    char line[256];
    size_t line_len = 0;
    uint8_t rx[4096];
    uint8_t version = FB_PROTOCOL_VERSION;
    int master, slave, running = 1, first = 1;
    if (argc == 3 && strcmp(argv[1], "--version") == 0) {
        version = (uint8_t)atoi(argv[2]);
    }
    rng_state = (uint32_t)time(0) ^ ((uint32_t)getpid() << 16) ^ now_ms();
    if (rng_state == 0) {
        rng_state = 1;
    }
    if (open_pty(&master, &slave) != 0) {
        perror("pty");
        return 1;
    }
    fb_mcu_init(&mcu, next_boot_id(), version, now_ms(), buffer_write, 0);
    while (running) {
        struct pollfd fds[2];
        ssize_t n;
        fb_mcu_poll(&mcu, now_ms());
        if (first || state_differs(&mcu, &shown)) {
            first = 0;
            shown = mcu;
            print_state(&mcu);
        }
        if (out_len > 0) {
            n = write(master, out_buf, out_len);
            if (n > 0) {
                memmove(out_buf, out_buf + n, out_len - (size_t)n);
                out_len -= (size_t)n;
            }
        }
        fds[0].fd = master;
        fds[0].events = (short)(POLLIN | (out_len > 0 ? POLLOUT : 0));
        fds[1].fd = STDIN_FILENO;
        fds[1].events = POLLIN;
        if (poll(fds, 2, 5) < 0 && errno != EINTR) {
            break;
        }
        if (fds[0].revents & POLLIN) {
            n = read(master, rx, sizeof rx);
            if (n > 0) {
                fb_mcu_rx(&mcu, rx, (size_t)n, now_ms());
            }
        }
        if (fds[1].revents & (POLLIN | POLLHUP)) {
            char c;
            n = read(STDIN_FILENO, &c, 1);
            if (n <= 0) {
                running = 0;
            } else if (c == '\n') {
                line[line_len] = 0;
                line_len = 0;
                running = control(&mcu, line, version);
            } else if (line_len < sizeof line - 1u) {
                line[line_len++] = c;
            }
        }
    }
    close(master);
    close(slave);
    return 0;
}
