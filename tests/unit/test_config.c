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

TEST_MAIN(T(defaults), T(precedence_file_env_flag), T(bad_values_refused))
