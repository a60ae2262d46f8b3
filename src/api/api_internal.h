/* Shared by the api module's files. */
#ifndef XL_API_INTERNAL_H
#define XL_API_INTERNAL_H

/* key == name, where '_' in key stands for '-' in name: option names are the CLI's
 * flags ("max-iter"), and a Python keyword cannot hold '-' ("max_iter"). */
int xl_api_key_is_(const char *key, const char *name);

#endif
