"""`check --deploy` warns when webhooks may reach this machine in production."""


def test_check_deploy_warns_about_loopback_without_debug(settings):
    from agentmatch.webhooks.checks import check_webhook_settings

    settings.DEBUG = False
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    assert [w.id for w in check_webhook_settings()] == ["agentmatch.W008"]
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    assert check_webhook_settings() == []
