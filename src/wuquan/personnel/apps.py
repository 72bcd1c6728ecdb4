from django.apps import AppConfig


class PersonnelConfig(AppConfig):
    name = "wuquan.personnel"
    verbose_name = "干部选拔任用监督"
    staff_nav: list[tuple[str, str]] = [("选人用人", "personnel:selections")]
    portal_nav: list[tuple[str, str]] = [("任前公示", "personnel-public:notices")]
