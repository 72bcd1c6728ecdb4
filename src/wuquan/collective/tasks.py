"""Daily expiry of the 一卡通 benefit lists (PUB-8; 附件16 四): every list whose year online has
run out is taken down, one `collective.benefit.publication.expired` event each."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import do_expire_publications


@db_periodic_task(crontab(minute="10", hour="0"))
def expire_benefit_publications_daily():
    return len(do_expire_publications())
