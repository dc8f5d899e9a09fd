"""The API's problems in the caller's language (issue #8): a bearer request gets its messages in the language of
its Accept-Language header, in its owner's profile language without one; field errors too, Russian plurals right."""

import io

import pytest

from monitoris.extensions import db
from monitoris.models import STATES
from tests.api.conftest import problem
from tests.factories import PASSWORD, make_act, make_assignment, make_notification, make_task
from tests.plans.files import csv_bytes, plan_rows

RU = {"Accept-Language": "ru"}
AZ = {"Accept-Language": "az-AZ,az;q=0.9"}


@pytest.fixture
def draft(w, api):
    """A draft report of the executive body (its id), through the API."""
    a = make_assignment(make_task(w.act, "1.1"), w.sa, state="in_progress", responsible=w.exec_sa)
    return api(w.exec_sa).post(f"/api/v1/assignments/{a.id}/reports", json={"text": "Drafted."}).get_json()["id"]


def _upload(client, url, *files, headers=None):
    return client.client.post(url, headers=client.headers(headers),
                              data={"files": [(io.BytesIO(c), n) for c, n in files]},
                              content_type="multipart/form-data")


def test_a_refusal_is_in_the_language_the_caller_asks_for(api, w):
    executor = api(w.exec_sa)
    assert problem(executor.post("/api/v1/acts", json={"kind": "law", "title": "Law"}), 403)["detail"] == (
        "Only a controller may change acts and tasks.")
    assert problem(executor.post("/api/v1/acts", json={"kind": "law", "title": "Law"}, headers=RU), 403)[
        "detail"] == "Изменять акты и задачи может только контролёр."
    assert problem(executor.post("/api/v1/acts", json={"kind": "law", "title": "Law"}, headers=AZ), 403)[
        "detail"] == "Aktları və tapşırıqları yalnız nəzarətçi dəyişə bilər."
    body = problem(api(w.controller).post("/api/v1/organizations", json={"name": "X", "short_name": "X",
                                                                         "kind": "central"}, headers=RU), 403)
    assert body["detail"] == "Изменять справочник может только администратор."


def test_an_upload_without_files_and_a_missing_precondition_in_russian(api, w, draft, upload_folder):
    executor = api(w.exec_sa)
    # A part named files with no file in it (a form sent with nothing chosen).
    body = problem(_upload(executor, f"/api/v1/reports/{draft}/documents", (b"", ""), headers=RU), 422)
    assert body["detail"] == "Файл не отправлен."
    assert body["errors"] == {"files": ["Отправьте один или несколько файлов как данные формы multipart в поле files."]}
    body = problem(executor.patch(f"/api/v1/reports/{draft}", json={"text": "Changed."}, headers=RU), 428)
    assert body["detail"] == "Отправьте If-Match с ETag, полученным при последнем чтении этого отчёта."


def test_the_upload_limit_is_written_the_readers_way(app, api, w, draft, upload_folder, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 3 * 512 * 1024)
    url = f"/api/v1/reports/{draft}/documents"
    big = b"x" * (2 * 1024 * 1024)
    assert "the largest file accepted" in problem(_upload(api(w.exec_sa), url, (big, "big.txt")), 413)["detail"]
    assert "than 1.5 MB," in problem(_upload(api(w.exec_sa), url, (big, "big.txt")), 413)["detail"]
    body = problem(_upload(api(w.exec_sa), url, (big, "big.txt"), headers=RU), 413)
    assert body["detail"] == "Файл big.txt больше 1,5 МБ — максимального допустимого размера. Ничего не сохранено."


def test_a_plan_with_problems_names_them_in_russian_with_the_right_plural(api, w):
    act = make_act()
    rows = plan_rows(w)
    rows[3][0] = "1.1"  # file row 5 repeats row 3's number
    rows[5][4] = "Ministry of Nowhere"  # file row 7
    rows[8][3] = "2019-2017"  # file row 10
    url = f"/api/v1/acts/{act.id}/import"
    response = api(w.controller).post(url, data={"file": (io.BytesIO(csv_bytes(rows)), "plan.csv")},
                                      content_type="multipart/form-data", headers=RU)
    body = problem(response, 422)
    assert body["detail"] == "В плане 3 проблемы; ничего не импортировано."
    assert body["errors"] == {
        "row 5": ["Повторяющийся номер 1.1: он есть и в строке 3."],
        "row 7": ["Неизвестный орган-исполнитель «Ministry of Nowhere»: укажите краткое или полное наименование "
                  "организации из справочника."],
        "row 10": ["Срок исполнения «2019-2017» заканчивается раньше, чем начинается."],
    }
    rows = plan_rows(w)
    rows[5][4] = "Ministry of Nowhere"
    response = api(w.controller).post(url, data={"file": (io.BytesIO(csv_bytes(rows)), "plan.csv")},
                                      content_type="multipart/form-data", headers=RU)
    assert problem(response, 422)["detail"] == "В плане 1 проблема; ничего не импортировано."
    response = api(w.controller).post(url, data={"file": (io.BytesIO(b""), "plan.csv")},
                                      content_type="multipart/form-data", headers=AZ)
    assert problem(response, 422)["detail"] == "Fayl boşdur."


def test_token_field_errors_in_russian(app, api, w):
    maximum = app.config["API_TOKEN_MAX_DAYS"]
    response = api().post("/api/v1/auth/tokens", json={"email": w.exec_sa.email, "password": PASSWORD, "name": " ",
                                                       "expires_in_days": maximum + 1}, headers=RU)
    body = problem(response, 422)
    assert body["detail"] == "Не удалось создать токен."
    assert body["errors"]["name"] == ["Назовите токен по месту, где он будет использоваться."]
    assert body["errors"]["expires_in_days"][0].startswith(f"Срок действия токена — от 1 до {maximum} д")
    assert problem(api(w.exec_sa).delete("/api/v1/auth/tokens/999999", headers=RU), 404)["detail"] == (
        "Такого токена нет.")
    db.session.rollback()


def test_without_accept_language_a_token_speaks_its_owners_language(api, w):
    w.exec_sa.locale = "ru"
    db.session.flush()
    executor = api(w.exec_sa)
    assert problem(executor.get("/api/v1/assignments/999999"), 404)["detail"] == (
        "Такого объекта нет, или у вас нет к нему доступа.")
    assert problem(executor.get("/api/v1/assignments/999999", headers=AZ), 404)["detail"] == (
        "Belə obyekt yoxdur və ya ona girişiniz yoxdur.")
    a = make_assignment(make_task(w.act, "1.9"), w.sa, state="in_progress")
    assert problem(executor.patch(f"/api/v1/assignments/{a.id}", json={"note": "x"}), 428)["detail"] == (
        "Передайте заголовок If-Match с ETag, полученным при последнем чтении этого объекта.")


def test_the_schemas_field_messages_in_russian(api, w):
    client = api(w.controller)
    url = "/api/v1/assignments?page=0&page_size=many&overdue=maybe&due_before=soon&stat=open&state=nope&q=" + "x" * 201
    assert problem(client.get(url, headers=RU), 422)["errors"] == {
        "page": ["Должно быть не меньше 1 и не больше 1000000."],
        "page_size": ["Ожидается целое число."],
        "overdue": ["Ожидается логическое значение (true или false)."],
        "due_before": ["Ожидается дата."],
        "stat": ["Неизвестное поле."],
        "state": {"0": [f"Допустимые значения: {', '.join(STATES)}."]},
        "q": ["Длиннее максимальной длины 200."],
    }
    act = {"kind": None, "title": "", "number": 5, "signed_on": "soon", "colour": "red"}
    assert problem(client.post("/api/v1/acts", json=act, headers=RU), 422)["errors"] == {
        "kind": ["Поле не может быть null."],
        "title": ["Длина должна быть от 1 до 500."],
        "number": ["Ожидается строка."],
        "signed_on": ["Ожидается дата."],
        "colour": ["Неизвестное поле."],
    }
    body = problem(client.post("/api/v1/acts", json={}, headers=RU), 422)
    assert body["title"] == "Неверные данные" and body["detail"] == "В запросе есть неверные поля; см. errors."
    assert body["errors"] == {"kind": ["Обязательное поле не заполнено."], "title": ["Обязательное поле не заполнено."]}
    # English stays marshmallow's own.
    assert problem(client.post("/api/v1/acts", json={}), 422)["errors"]["kind"] == ["Missing data for required field."]


def test_a_token_whose_owner_reads_azerbaijani_gets_field_messages_in_azerbaijani(api, w):
    w.admin.locale = "az"
    db.session.flush()
    admin = api(w.admin)
    assert problem(admin.get("/api/v1/acts?page=first&page_size=0"), 422)["errors"] == {
        "page": ["Tam ədəd gözlənilir."], "page_size": ["Ən azı 1, ən çoxu 200 olmalıdır."]}
    person = {"email": "nobody", "name": "X", "organization_id": "1", "roles": "admin", "active": "perhaps"}
    assert problem(admin.post("/api/v1/users", json=person), 422)["errors"] == {
        "email": ["E-poçt ünvanı yanlışdır."], "organization_id": ["Tam ədəd gözlənilir."],
        "roles": ["Siyahı gözlənilir."], "active": ["Məntiqi dəyər (true və ya false) gözlənilir."]}
    # Accept-Language still has the last word.
    assert problem(admin.get("/api/v1/acts?page=first", headers=RU), 422)["errors"] == {
        "page": ["Ожидается целое число."]}


def test_the_frameworks_own_errors_in_the_readers_language(app, api, w, monkeypatch):
    body = problem(api(w.controller).get("/api/v1/nowhere", headers=RU), 404)
    assert (body["title"], body["detail"]) == ("Не найдено", "По этому адресу ничего нет.")
    w.controller.locale = "az"
    db.session.flush()
    controller = api(w.controller)
    body = problem(controller.delete(f"/api/v1/acts/{w.act.id}"), 405)  # no route: its owner's language all the same
    assert body["title"] == "Sorğu növünə icazə verilmir"
    assert body["detail"] == ("Bu ünvan DELETE sorğularını qəbul etmir; qəbul etdiyi metodlar Allow başlığında "
                              "sadalanıb.")
    body = problem(controller.post("/api/v1/acts", data="kind=law", headers={
        "Content-Type": "application/x-www-form-urlencoded"}), 415)
    assert (body["title"], body["detail"]) == (
        "Dəstəklənməyən məlumat tipi",
        "Sorğunun gövdəsini Content-Type: application/json başlığı ilə JSON formatında göndərin.")
    body = problem(controller.post("/api/v1/acts", data="{not json", headers={"Content-Type": "application/json"}),
                   400)
    assert body["errors"] == {"json": ["Sorğunun gövdəsi düzgün JSON deyil."]}
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    body = problem(controller.post("/api/v1/acts", json={"kind": "law", "title": "x" * 2000}, headers=RU), 413)
    assert (body["title"], body["detail"]) == ("Слишком большой запрос", "Запрос больше, чем принимает сервер.")
    body = problem(api().get("/api/v1/acts", headers=RU), 401)
    assert body["title"] == "Требуется аутентификация"
    n = make_notification(w.controller)
    body = problem(controller.post(f"/api/v1/notifications/{n.id}/read", json={"read": True}, headers=RU), 400)
    assert (body["title"], body["detail"]) == ("Неверный запрос",
                                               "Этот запрос не принимает тела; отправьте его без тела.")
