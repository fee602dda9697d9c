/* getaddrinfo/getnameinfo through the loop and synchronously. */
#include "diff.h"

static uv_getaddrinfo_t g1, g2;
static uv_getnameinfo_t n1;

static void print_ai(const char* what, int status, struct addrinfo* res) {
  printf("%s: %s\n", what, status ? uv_err_name(status) : "OK");
  for (struct addrinfo* ai = res; ai; ai = ai->ai_next) {
    char ip[64] = "";
    if (ai->ai_family == AF_INET) uv_ip4_name((struct sockaddr_in*)ai->ai_addr, ip, sizeof ip);
    else uv_ip6_name((struct sockaddr_in6*)ai->ai_addr, ip, sizeof ip);
    printf("  family=%s socktype=%d %s port=%d\n", ai->ai_family == AF_INET ? "inet" : "inet6",
           ai->ai_socktype, ip, ntohs(((struct sockaddr_in*)ai->ai_addr)->sin_port));
  }
}

static void on_gni(uv_getnameinfo_t* req, int status, const char* host, const char* serv);

static void on_gai(uv_getaddrinfo_t* req, int status, struct addrinfo* res) {
  print_ai(req == &g1 ? "async localhost" : "async missing", status, res);
  uv_freeaddrinfo(res);
  if (req == &g1) {
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
    uv_getaddrinfo(req->loop, &g2, on_gai, "nonexist.invalid", NULL, &hints);
  } else {
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 80, &a);
    uv_getnameinfo(req->loop, &n1, on_gni, (const struct sockaddr*)&a, NI_NUMERICSERV);
  }
}

static void on_gni(uv_getnameinfo_t* req, int status, const char* host, const char* serv) {
  (void)req;
  printf("async getnameinfo: %s %s %s\n", status ? uv_err_name(status) : "OK", host, serv);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
  uv_getaddrinfo_t sreq;
  int r = uv_getaddrinfo(loop, &sreq, NULL, "localhost", "8080", &hints);
  print_ai("sync localhost", r, sreq.addrinfo);
  uv_freeaddrinfo(sreq.addrinfo);
  r = uv_getaddrinfo(loop, &sreq, NULL, "127.0.0.1", NULL, NULL);
  print_ai("sync numeric, no hints", r, sreq.addrinfo);
  uv_freeaddrinfo(sreq.addrinfo);
  struct addrinfo h6 = { .ai_family = AF_INET6, .ai_socktype = SOCK_STREAM };
  r = uv_getaddrinfo(loop, &sreq, NULL, "::1", "443", &h6);
  print_ai("sync ::1", r, sreq.addrinfo);
  uv_freeaddrinfo(sreq.addrinfo);
  r = uv_getaddrinfo(loop, &sreq, NULL, "127.0.0.1", "no-such-service", &hints);
  print_ai("sync bad service", r, sreq.addrinfo);
  show("null cb and null names", uv_getaddrinfo(loop, &sreq, NULL, NULL, NULL, NULL));
  uv_getaddrinfo(loop, &g1, on_gai, "localhost", NULL, &hints);
  finish(loop);
  return 0;
}
