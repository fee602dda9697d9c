/* The pure address helpers. */
#include "diff.h"

int main(void) {
  struct sockaddr_in a4;
  struct sockaddr_in6 a6;
  char buf[64];
  show("ip4 ok", uv_ip4_addr("192.168.1.20", 8080, &a4));
  uv_ip4_name(&a4, buf, sizeof buf);
  printf("ip4 name %s port %d family %d\n", buf, ntohs(a4.sin_port), a4.sin_family);
  show("ip4 bad", uv_ip4_addr("300.1.1.1", 1, &a4));
  show("ip4 junk", uv_ip4_addr("localhost", 1, &a4));
  show("ip6 ok", uv_ip6_addr("fe80::1:2", 443, &a6));
  uv_ip6_name(&a6, buf, sizeof buf);
  printf("ip6 name %s port %d\n", buf, ntohs(a6.sin6_port));
  show("ip6 bad", uv_ip6_addr("fe80:::1", 1, &a6));
  show("ip6 v4-mapped", uv_ip6_addr("::ffff:10.0.0.1", 1, &a6));
  uv_ip6_name(&a6, buf, sizeof buf);
  printf("mapped %s\n", buf);
  unsigned char bin[16];
  show("pton4", uv_inet_pton(AF_INET, "10.1.2.3", bin));
  printf("bytes %d.%d.%d.%d\n", bin[0], bin[1], bin[2], bin[3]);
  show("pton4 bad", uv_inet_pton(AF_INET, "10.1.2", bin));
  show("pton6", uv_inet_pton(AF_INET6, "2001:db8::ff", bin));
  show("ntop6", uv_inet_ntop(AF_INET6, bin, buf, sizeof buf));
  printf("ntop6 %s\n", buf);
  show("ntop small buffer", uv_inet_ntop(AF_INET6, bin, buf, 4));
  show("pton bad family", uv_inet_pton(12345, "1.2.3.4", bin));
  show("ip4 name small", uv_ip4_name(&a4, buf, 3));
  return 0;
}
