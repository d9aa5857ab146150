/*
 * Unit tests of config.c: precedence defaults < file < env < flags, and
 * clear refusals of bad values.
 */
#include "config.h"
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

TEST(defaults)
{
    struct config c;
    config_defaults(&c);
    ASSERT_STR_EQ(c.listen, "127.0.0.1:8080");
    ASSERT_STR_EQ(c.db, "data/shucu.db");
    ASSERT_EQ(c.body_limit, 1 << 20);
    ASSERT_EQ(c.bulk_limit, 64L << 20);
    config_free(&c);
}

TEST(precedence_file_env_flag)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/shucu-test-config-%d.json", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("{\"listen\":\"0.0.0.0:1\",\"db\":\"file.db\",\"workers\":3,\"weights\":{\"text\":0.5}}", f);
    fclose(f);
    setenv("SHUCU_DB", "env.db", 1);
    char *argv[] = {"serve", "--config", path, "--workers=7", "extra", NULL};
    struct config c;
    config_defaults(&c);
    char **rest = NULL;
    ASSERT_EQ(config_load(&c, 5, argv, &rest), 0);
    ASSERT_STR_EQ(c.listen, "0.0.0.0:1"); /* file */
    ASSERT_STR_EQ(c.db, "env.db");        /* env beats file */
    ASSERT_EQ(c.workers, 7);              /* flag beats file */
    ASSERT(c.weights.text > 0.49 && c.weights.text < 0.51);
    ASSERT_STR_EQ(rest[0], "serve");
    ASSERT_STR_EQ(rest[1], "extra");
    free(rest);
    config_free(&c);
    unsetenv("SHUCU_DB");
    unlink(path);
}

TEST(flag_beats_env)
{
    /* Every kind of option, set both ways: the flag must win, whichever of
     * "--name value" and "--name=value" it is spelled as; an option set only
     * in the environment still takes the environment's value. */
    setenv("SHUCU_DB", "env.db", 1);
    setenv("SHUCU_LISTEN", "127.0.0.1:1111", 1);
    setenv("SHUCU_WORKERS", "3", 1);
    setenv("SHUCU_BODY_LIMIT", "4096", 1);
    setenv("SHUCU_WEIGHT_TEXT", "0.25", 1);
    setenv("SHUCU_CACHE_TTL", "77", 1);
    char *argv[] = {"serve", "--db", "flag.db", "--listen=127.0.0.1:2222",
                    "--workers", "9", "--body-limit=8192", "--weight-text", "0.75",
                    NULL};
    struct config c;
    config_defaults(&c);
    char **rest = NULL;
    ASSERT_EQ(config_load(&c, 9, argv, &rest), 0);
    ASSERT_STR_EQ(c.db, "flag.db");             /* string, "--x v" */
    ASSERT_STR_EQ(c.listen, "127.0.0.1:2222");  /* string, "--x=v" */
    ASSERT_EQ(c.workers, 9);                    /* integer, "--x v" */
    ASSERT_EQ(c.body_limit, 8192);              /* integer, "--x=v" */
    ASSERT(c.weights.text > 0.74 && c.weights.text < 0.76); /* number */
    ASSERT_EQ(c.cache_ttl, 77);                 /* no flag: env holds */
    ASSERT_STR_EQ(rest[0], "serve");
    ASSERT(rest[1] == NULL);
    free(rest);
    config_free(&c);
    unsetenv("SHUCU_DB");
    unsetenv("SHUCU_LISTEN");
    unsetenv("SHUCU_WORKERS");
    unsetenv("SHUCU_BODY_LIMIT");
    unsetenv("SHUCU_WEIGHT_TEXT");
    unsetenv("SHUCU_CACHE_TTL");
}

TEST(config_flag_beats_config_env)
{
    /* --config names the file even when SHUCU_CONFIG names another. */
    char envpath[64], flagpath[64];
    snprintf(envpath, sizeof envpath, "/tmp/shucu-test-config-env-%d.json", (int)getpid());
    snprintf(flagpath, sizeof flagpath, "/tmp/shucu-test-config-flag-%d.json", (int)getpid());
    FILE *f = fopen(envpath, "w");
    fputs("{\"db\":\"envfile.db\",\"workers\":5}", f);
    fclose(f);
    f = fopen(flagpath, "w");
    fputs("{\"db\":\"flagfile.db\"}", f);
    fclose(f);
    setenv("SHUCU_CONFIG", envpath, 1);
    char *argv[] = {"serve", "--config", flagpath, NULL};
    struct config c;
    config_defaults(&c);
    char **rest = NULL;
    ASSERT_EQ(config_load(&c, 3, argv, &rest), 0);
    ASSERT_STR_EQ(c.config_file, flagpath);
    ASSERT_STR_EQ(c.db, "flagfile.db");
    ASSERT_EQ(c.workers, 0); /* the env's file was not read at all */
    free(rest);
    config_free(&c);
    unsetenv("SHUCU_CONFIG");
    unlink(envpath);
    unlink(flagpath);
}

TEST(bad_values_refused)
{
    struct config c;
    char **rest = NULL;
    config_defaults(&c);
    char *a1[] = {"serve", "--workers", "many", NULL};
    ASSERT_EQ(config_load(&c, 3, a1, &rest), -1);
    char *a2[] = {"serve", "--body-limit", "1", NULL};
    ASSERT_EQ(config_load(&c, 3, a2, &rest), -1);
    char *a3[] = {"serve", "--listen", NULL};
    ASSERT_EQ(config_load(&c, 2, a3, &rest), -1);
    config_free(&c);
    char path[64];
    snprintf(path, sizeof path, "/tmp/shucu-test-config2-%d.json", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("{\"listen\": \"x\",\n \"nosuch\": 1}", f);
    fclose(f);
    config_defaults(&c);
    char *a4[] = {"serve", "--config", path, NULL};
    ASSERT_EQ(config_load(&c, 3, a4, &rest), -1);
    config_free(&c);
    unlink(path);
}

TEST_MAIN(T(defaults), T(precedence_file_env_flag), T(flag_beats_env),
          T(config_flag_beats_config_env), T(bad_values_refused))
