/* loop/label.c — labels that survive edits: the name of a callback, and
 * creation order among equal labels only (see internal.h).
 *
 * A decision's label says what is decided. "timer#7" says it by creation
 * order, which any earlier handle changes; "timer:on_timeout" says it by
 * the function the program gave, which an unrelated edit leaves alone. The
 * name comes from the object's full symbol table (.symtab: static functions
 * included, which is where most callbacks live), read once per object file
 * straight from the ELF file, else from dladdr (exported symbols only), else
 * there is none and the label is the handle type alone.
 *
 * Names are a function of the binary, never of where it was loaded: the
 * lookup subtracts the load base and matches the exact start of a function.
 * Tables are kept for the life of the process (symbols do not change between
 * runs), and so are the names handed out. */
#include "loop/internal.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loop/stream.h"
#include "sim/sim_util.h"

typedef struct fsym {
  uintptr_t addr;               /* st_value: relative to the load base */
  const char* name;             /* into the object's mapped string table */
} fsym;

typedef struct objsyms {
  char path[512];
  uintptr_t base;
  fsym* syms;
  size_t n;
  struct objsyms* next;
} objsyms;

static objsyms* objects;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int by_addr(const void* a, const void* b) {
  uintptr_t x = ((const fsym*)a)->addr, y = ((const fsym*)b)->addr;
  return x < y ? -1 : x > y;
}

/* The functions of one ELF file's .symtab; the file stays mapped (names
 * point into it). A file without one (stripped) gives an empty table. */
static void load_symtab(objsyms* o, const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st;
  if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
    close(fd);
    return;
  }
  size_t len = (size_t)st.st_size;
  const unsigned char* m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (m == MAP_FAILED) return;
  const Elf64_Ehdr* eh = (const Elf64_Ehdr*)m;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_shoff == 0 || eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > len) {
    munmap((void*)m, len);
    return;
  }
  const Elf64_Shdr* sh = (const Elf64_Shdr*)(m + eh->e_shoff);
  for (unsigned i = 0; i < eh->e_shnum; i++) {
    if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum) continue;
    const Elf64_Shdr* strs = &sh[sh[i].sh_link];
    if (sh[i].sh_offset + sh[i].sh_size > len || strs->sh_offset + strs->sh_size > len)
      break;
    const Elf64_Sym* sym = (const Elf64_Sym*)(m + sh[i].sh_offset);
    size_t count = sh[i].sh_size / sizeof *sym;
    o->syms = sim_xmalloc(count * sizeof *o->syms);
    for (size_t k = 0; k < count; k++) {
      if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || sym[k].st_value == 0 ||
          sym[k].st_name >= strs->sh_size)
        continue;
      const char* name = (const char*)m + strs->sh_offset + sym[k].st_name;
      o->syms[o->n++] = (fsym){ (uintptr_t)sym[k].st_value, name };
    }
    qsort(o->syms, o->n, sizeof *o->syms, by_addr);
    return;   /* the mapping stays: names point into it */
  }
  munmap((void*)m, len);
}

static objsyms* object_of(const Dl_info* info) {
  for (objsyms* o = objects; o; o = o->next)
    if (o->base == (uintptr_t)info->dli_fbase) return o;
  objsyms* o = calloc(1, sizeof *o);
  if (!o) return NULL;
  o->base = (uintptr_t)info->dli_fbase;
  /* The main program's name is argv[0]-relative or empty; its file is
   * /proc/self/exe either way. */
  const char* path = info->dli_fname;
  if (!path || path[0] != '/') path = "/proc/self/exe";
  snprintf(o->path, sizeof o->path, "%s", path);
  load_symtab(o, o->path);
  o->next = objects;
  objects = o;
  return o;
}

static const char* lookup(const objsyms* o, uintptr_t rel) {
  size_t lo = 0, hi = o->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (o->syms[mid].addr < rel) lo = mid + 1;
    else hi = mid;
  }
  return lo < o->n && o->syms[lo].addr == rel ? o->syms[lo].name : NULL;
}

const char* uvs__symbol_name(const void* fn) {
  if (fn == NULL) return NULL;
  Dl_info info;
  if (!dladdr(fn, &info) || !info.dli_fbase) return NULL;
  pthread_mutex_lock(&lock);
  objsyms* o = object_of(&info);
  /* ET_EXEC (non-PIE) symbols are absolute; ET_DYN ones relative. */
  const char* name = NULL;
  if (o) {
    name = lookup(o, (uintptr_t)fn - o->base);
    if (!name) name = lookup(o, (uintptr_t)fn);
  }
  pthread_mutex_unlock(&lock);
  if (!name && info.dli_sname && info.dli_saddr == fn) name = info.dli_sname;
  return name;
}

/* ---- callback names, cached by address for the life of the process (the
 * address is only a cache key here; it never reaches a label). */

#define NAME_CACHE 1024u

static struct { const void* fn; const char* name; int known; } name_cache[NAME_CACHE];

/* A C++ callback (node's) reads better as node::Environment::RunTimers
 * than as _ZN4node11Environment9RunTimersEP10uv_timer_s: when the program
 * has a C++ runtime, ask it; the parameter list is dropped. Kept for the
 * life of the process, like every name here. */
static const char* demangled(const char* name) {
  if (!name || strncmp(name, "_Z", 2) != 0) return name;
  typedef char* (*demangle_fn)(const char*, char*, size_t*, int*);
  demangle_fn dm = (demangle_fn)dlsym(RTLD_DEFAULT, "__cxa_demangle");
  if (!dm) return name;
  int status = 0;
  char* out = dm(name, NULL, NULL, &status);
  if (!out || status != 0) {
    free(out);
    return name;
  }
  char* paren = strchr(out, '(');
  if (paren) *paren = '\0';
  return out;
}

static const char* cached_symbol(const void* fn) {
  size_t j = ((uintptr_t)fn >> 4) & (NAME_CACHE - 1);
  pthread_mutex_lock(&lock);
  int hit = name_cache[j].known && name_cache[j].fn == fn;
  const char* name = name_cache[j].name;
  pthread_mutex_unlock(&lock);
  if (hit) return name;
  name = demangled(uvs__symbol_name(fn));
  pthread_mutex_lock(&lock);
  name_cache[j].fn = fn;
  name_cache[j].name = name;
  name_cache[j].known = 1;
  pthread_mutex_unlock(&lock);
  return name;
}

/* ---- per-run counts of each label, to number repeats */

typedef struct label_count {
  uint64_t key;                 /* FNV-1a of the label; 0: empty slot */
  uint32_t count;
} label_count;

static label_count* counts;
static size_t counts_cap, counts_len;

void uvs__labels_reset(void) {
  if (counts) memset(counts, 0, counts_cap * sizeof *counts);
  counts_len = 0;
}

static uint64_t label_key(const char* s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return h ? h : 1;
}

static uint32_t* count_of(uint64_t key) {
  if ((counts_len + 1) * 2 > counts_cap) {
    size_t ncap = counts_cap ? counts_cap * 2 : 256;
    label_count* n = sim_xmalloc(ncap * sizeof *n);
    memset(n, 0, ncap * sizeof *n);
    for (size_t i = 0; i < counts_cap; i++) {
      if (!counts[i].key) continue;
      size_t j = counts[i].key & (ncap - 1);
      while (n[j].key) j = (j + 1) & (ncap - 1);
      n[j] = counts[i];
    }
    free(counts);
    counts = n;
    counts_cap = ncap;
  }
  size_t j = key & (counts_cap - 1);
  while (counts[j].key && counts[j].key != key) j = (j + 1) & (counts_cap - 1);
  if (!counts[j].key) {
    counts[j].key = key;
    counts_len++;
  }
  return &counts[j].count;
}

const char* uvs__unique_label(const char* label) {
  uint32_t k = ++*count_of(label_key(label));
  if (k == 1) return sim_intern(uvs__sim(), label);
  return sim_internf(uvs__sim(), "%.100s#%u", label, k);
}

const char* uvs__callback_label(const char* type, const void* cb) {
  const char* sym = cached_symbol(cb);
  if (!sym) return uvs__unique_label(type);
  /* A compiler's clone of a function (on_read.isra.0, .constprop.1,
   * .part.0, .lto_priv.0) is named for the function it came from: the
   * label must not change with the optimisation level. */
  int len = (int)strcspn(sym, ".");
  if (len > 100) len = 100;
  char buf[SIM_LABEL_MAX + 1];
  snprintf(buf, sizeof buf, "%s:%.*s", type, len, sym);
  return uvs__unique_label(buf);
}

void uvs__name_handle(uv_handle_t* h, const void* cb) {
  if ((h->flags & UVS__H_NAMED) || cb == NULL) return;
  h->flags |= UVS__H_NAMED;
  uvs__set_label(h, uvs__callback_label(uv_handle_type_name(h->type), cb));
  if (h->type == UV_TCP || h->type == UV_NAMED_PIPE || h->type == UV_TTY)
    uvs__stream_relabel((uv_stream_t*)h);
}
