/*
 * llm.h -- a client for OpenAI-compatible chat-completion servers
 * (POST BASE/chat/completions), shared by the plugins in this tree that
 * have an optional LLM step. Compiled into each plugin that uses it.
 *
 * Nothing here is ever called unless a pipeline names a server: every
 * LLM step has a deterministic rule that runs without one.
 */
#ifndef WEFT_PLUGINS_LLM_H
#define WEFT_PLUGINS_LLM_H

#include <jansson.h>
#include <stddef.h>

typedef struct wllm_opts {
	const char *base_url; /* e.g. http://127.0.0.1:8000/v1 */
	const char *model;
	const char *api_key;  /* NULL or "": no Authorization header */
	double timeout;       /* seconds for the whole request */
	double temperature;
} wllm_opts;

/* Sends one system and one user message; on success *content is the
 * first choice's message text (malloc'd, caller frees). -1 with a message
 * naming the server and what went wrong (connection, HTTP status with
 * the server's error text, or a reply that is not a chat completion). */
int wllm_chat(char **content, const wllm_opts *o, const char *system, const char *user, char *err, size_t errlen);

/* The first JSON object in text (models wrap answers in prose or code
 * fences), or NULL. New reference. */
json_t *wllm_json_in(const char *text);

#endif
