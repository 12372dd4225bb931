/* qtm_config.h - what this build found (written by make) */
#define QTM_HAVE_PG 1
