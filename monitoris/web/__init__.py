"""Server-rendered pages.  Each module is one area's blueprint; views stay thin."""

from monitoris.web import (
    acts,
    admin,
    admin_notifications,
    analysis,
    assignments,
    auth,
    dashboard,
    helpers,
    language,
    notifications,
    password_reset,
    profile,
    public,
    security_admin,
    tasks,
    two_factor,
)
from monitoris.web import documents as documents_pages
from monitoris.web import extensions as extension_pages
from monitoris.web import instructions as instruction_pages
from monitoris.web import plans as plan_pages
from monitoris.web import reports as report_pages
from monitoris.web import work as work_pages


def register(app):
    helpers.register(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(acts.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(assignments.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(analysis.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(profile.bp)
    app.register_blueprint(admin_notifications.bp)
    app.register_blueprint(two_factor.bp)
    app.register_blueprint(password_reset.bp)
    app.register_blueprint(security_admin.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(language.bp)
    for module in (report_pages, documents_pages, instruction_pages, extension_pages, work_pages):
        app.register_blueprint(module.bp)
    app.register_blueprint(plan_pages.bp)
