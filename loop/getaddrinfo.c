/* loop/getaddrinfo.c — uv_getaddrinfo / uv_getnameinfo / uv_freeaddrinfo against
 * the simulated resolver (sim/sim_dns.h). Like libuv, a lookup with a callback is
 * a pool job (so several lookups may complete in any order: a decision);
 * without one it runs at once. Faults of kind "dns" apply, with the host
 * name as their target. */
#include "loop/internal.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_dns.h"
#include "sim/sim_fault.h"
#include "uvsim/loop.h"
#include "loop/world_io.h"

typedef struct dns_job {
  uvs__work w;                  /* first: the pool hands it back          */
  uv_req_t* req;
} dns_job;

/* uv_cancel: both request types keep their job in work_req.wq[0]. */
static int dns_cancel(uv_req_t* r) {
  dns_job* job = r->type == UV_GETADDRINFO
                     ? ((uv_getaddrinfo_t*)r)->work_req.wq[0]
                     : ((uv_getnameinfo_t*)r)->work_req.wq[0];
  if (job == NULL) return UV_EBUSY;
  UVS__ASSERT(job->req == r, "uv_cancel: the job belongs to another request");
  return uvs__work_cancel(&job->w);
}

/* glibc EAI_* → libuv's UV_EAI_*. */
static int translate(int eai) {
  switch (eai) {
  case 0: return 0;
  case EAI_ADDRFAMILY: return UV_EAI_ADDRFAMILY;
  case EAI_AGAIN: return UV_EAI_AGAIN;
  case EAI_BADFLAGS: return UV_EAI_BADFLAGS;
  case EAI_CANCELED: return UV_EAI_CANCELED;
  case EAI_FAIL: return UV_EAI_FAIL;
  case EAI_FAMILY: return UV_EAI_FAMILY;
  case EAI_MEMORY: return UV_EAI_MEMORY;
  case EAI_NODATA: return UV_EAI_NODATA;
  case EAI_NONAME: return UV_EAI_NONAME;
  case EAI_OVERFLOW: return UV_EAI_OVERFLOW;
  case EAI_SERVICE: return UV_EAI_SERVICE;
  case EAI_SOCKTYPE: return UV_EAI_SOCKTYPE;
  case EAI_SYSTEM: return UV_EAI_FAIL;
  default: return UV_EAI_FAIL;
  }
}

static void gai_work(uv_getaddrinfo_t* req) {
  sim_fault_hit hit;
  if (sim_fault_check(sim_faults_current(), SIM_FOP_DNS, req->hostname, -1, &hit)) {
    if (hit.delay_ns) uvsim_pool_cost_ns(hit.delay_ns);   /* a slow resolver */
    if (hit.err) {
      req->retcode = translate(hit.err);
      return;
    }
  }
  int r = sim_dns_getaddrinfo(sim_dns_current(), req->hostname, req->service,
                              req->hints, &req->addrinfo);
  req->retcode = translate(r);
}

/* The strings and hints live in one block owned by the request; it starts
 * at whichever of them came first. */
static void gai_release(uv_getaddrinfo_t* req) {
  void* block = req->hints ? (void*)req->hints
              : req->service ? (void*)req->service : (void*)req->hostname;
  free(block);
  req->hints = NULL;
  req->service = NULL;
  req->hostname = NULL;
}

static void gai_job_work(uvs__work* w) { gai_work((uv_getaddrinfo_t*)((dns_job*)w)->req); }

static void gai_job_done(uvs__work* w, int status) {
  dns_job* job = (dns_job*)w;
  uv_getaddrinfo_t* req = (uv_getaddrinfo_t*)job->req;
  UVS__ASSERT(req->type == UV_GETADDRINFO && req->work_req.wq[0] == job,
              "a getaddrinfo job is not its request's");
  /* a cancelled lookup never ran: no result to free but the empty one */
  UVS__ASSERT(status != UV_ECANCELED || req->addrinfo == NULL,
              "a cancelled getaddrinfo has a result");
  uvs__wfree(job);
  req->work_req.wq[0] = NULL;
  uvs__req_unregister(req->loop);
  gai_release(req);
  if (status == UV_ECANCELED) {
    req->retcode = UV_EAI_CANCELED;
    sim_dns_freeaddrinfo(req->addrinfo);
    req->addrinfo = NULL;
  }
  if (req->cb) {
    req->cb(req, req->retcode, req->addrinfo);
  }
}

int uv_getaddrinfo(uv_loop_t* loop, uv_getaddrinfo_t* req, uv_getaddrinfo_cb cb,
                   const char* hostname, const char* service,
                   const struct addrinfo* hints) {
  if (req == NULL || (hostname == NULL && service == NULL)) return UV_EINVAL;
  size_t hl = hostname ? strlen(hostname) + 1 : 0;
  size_t sl = service ? strlen(service) + 1 : 0;
  size_t nl = hints ? sizeof *hints : 0;
  if (hl > 256) return UV_EINVAL;
  char* buf = malloc(hl + sl + nl + 1);
  if (buf == NULL) return UV_ENOMEM;
  UVS__CLEAR_REQ(req);
  req->type = UV_GETADDRINFO;
  req->loop = loop;
  req->cb = cb;
  size_t len = 0;
  if (hints) { req->hints = memcpy(buf + len, hints, nl); len += nl; }
  if (service) { req->service = memcpy(buf + len, service, sl); len += sl; }
  if (hostname) req->hostname = memcpy(buf + len, hostname, hl);
  uvs__req_register(loop);
  if (cb == NULL) {
    gai_work(req);
    uvs__req_unregister(loop);
    gai_release(req);
    return req->retcode;
  }
  dns_job* job = uvs__wcalloc(sizeof *job);
  job->req = (uv_req_t*)req;
  req->work_req.wq[0] = job;
  uvs__cancel_hook[UV_GETADDRINFO] = dns_cancel;
  sim* s = uvs__sim();
  uvs__work_submit(loop, &job->w,
                   sim_internf(s, "dns.getaddrinfo %s", hostname ? hostname : service),
                   gai_job_work, gai_job_done);
  return 0;
}

void uv_freeaddrinfo(struct addrinfo* ai) { sim_dns_freeaddrinfo(ai); }

static void gni_work(uv_getnameinfo_t* req) {
  sim_fault_hit hit;
  if (sim_fault_check(sim_faults_current(), SIM_FOP_DNS, NULL, -1, &hit)) {
    if (hit.delay_ns) uvsim_pool_cost_ns(hit.delay_ns);
    if (hit.err) {
      req->retcode = translate(hit.err);
      return;
    }
  }
  int r = sim_dns_getnameinfo(sim_dns_current(), (struct sockaddr*)&req->storage,
                              req->host, sizeof req->host, req->service,
                              sizeof req->service, req->flags);
  req->retcode = translate(r);
}

static void gni_job_work(uvs__work* w) { gni_work((uv_getnameinfo_t*)((dns_job*)w)->req); }

static void gni_job_done(uvs__work* w, int status) {
  dns_job* job = (dns_job*)w;
  uv_getnameinfo_t* req = (uv_getnameinfo_t*)job->req;
  UVS__ASSERT(req->type == UV_GETNAMEINFO && req->work_req.wq[0] == job,
              "a getnameinfo job is not its request's");
  req->work_req.wq[0] = NULL;
  uvs__wfree(job);
  uvs__req_unregister(req->loop);
  if (status == UV_ECANCELED) req->retcode = UV_EAI_CANCELED;
  if (req->getnameinfo_cb) {
    req->getnameinfo_cb(req, req->retcode, req->retcode ? NULL : req->host,
                        req->retcode ? NULL : req->service);
  }
}

int uv_getnameinfo(uv_loop_t* loop, uv_getnameinfo_t* req, uv_getnameinfo_cb cb,
                   const struct sockaddr* addr, int flags) {
  if (req == NULL || addr == NULL) return UV_EINVAL;
  size_t len;
  if (addr->sa_family == AF_INET) len = sizeof(struct sockaddr_in);
  else if (addr->sa_family == AF_INET6) len = sizeof(struct sockaddr_in6);
  else return UV_EINVAL;
  UVS__CLEAR_REQ(req);
  memcpy(&req->storage, addr, len);
  req->type = UV_GETNAMEINFO;
  req->loop = loop;
  req->getnameinfo_cb = cb;
  req->flags = flags;
  uvs__req_register(loop);
  if (cb == NULL) {
    gni_work(req);
    uvs__req_unregister(loop);
    return req->retcode;
  }
  dns_job* job = uvs__wcalloc(sizeof *job);
  job->req = (uv_req_t*)req;
  req->work_req.wq[0] = job;
  uvs__cancel_hook[UV_GETNAMEINFO] = dns_cancel;
  uvs__work_submit(loop, &job->w, "dns.getnameinfo", gni_job_work, gni_job_done);
  return 0;
}
