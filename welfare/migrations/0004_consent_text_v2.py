"""Publish consent text version 2: it adds the optional third scope (wellbeing check results and
crisis signals). Consents given to version 1 pause until the member agrees again, as for any new
version; nothing is shared under the new scope until they tick it."""

from django.db import migrations

BODY_EN = """\
Sharing your diary's mood with a welfare centre. Consent text, version 2.

When you link your diary to a welfare centre with the centre's code and agree below, the caseworker the centre assigns to you can see:

1. Your mood scores and activity (needed to link)
- the mood of each entry: the emotion you chose yourself, and the automatic emotion reading. The automatic reading is an estimate that a computer program makes from your photo and your words. It can be wrong, and it is not a diagnosis.
- daily averages and trends drawn from these, compared with your own usual mood;
- on which days you wrote (not what you wrote);
- alerts the site raises when you have not written for some days or your mood has stayed low. The caseworker may then call you.

2. The text of your entries (optional: only if you tick the second box)
- what you write in your diary.

3. Your wellbeing check results and crisis signals (optional: only if you tick the third box)
- the scores of the short questionnaires you may answer every two weeks (PHQ-9, for those 65 and older the Geriatric Depression Scale, and a three-question loneliness scale), with what the score suggests. A score is not a diagnosis.
- when the site showed you crisis help: because you answered that you had thought of being better off dead or of hurting yourself, or because the words of an entry spoke of dying or self-harm. The caseworker is told at once, by an urgent alert and e-mail, so that they can call you. They see that it happened and why (a questionnaire answer or diary words), not the words themselves unless you also share the text of your entries.

Never shared: your photos, your e-mail address and password, and anything else in your account.

Who can see it: only the caseworker the centre assigns to you, after signing in with two-factor sign-in. Other staff of the centre and the staff of moodsite cannot see it.

Every time the caseworker looks at your data, it is recorded. The page "Who looked at my data" shows you who looked and when.

You can stop sharing at any time on the "Care centre" page. Access ends at once. The records of your consent and of who looked are kept so that you can check them.

Why: so that the centre notices early when you may need a call or a visit. Sharing is your choice. If you do not link, nothing changes in your diary.

Legal basis: your explicit, separate consent (Personal Information Protection Act, article 23, for sensitive information; GDPR article 9(2)(a)).
"""

BODY_KO = """\
복지관과 일기 기분 정보 공유 동의서 (버전 2)

복지관에서 받은 코드로 일기를 연결하고 아래에 동의하시면, 복지관이 배정한 담당 사회복지사가 다음 정보를 볼 수 있습니다.

1. 기분 점수와 활동 (연결하려면 꼭 필요합니다)
- 각 일기의 기분: 직접 고르신 감정과 자동 감정 판독. 자동 감정 판독은 컴퓨터 프로그램이 사진과 글을 보고 추정한 것입니다. 틀릴 수 있으며, 진단이 아닙니다.
- 이를 바탕으로 한 하루 평균과 추세, 평소 기분과의 비교
- 일기를 쓰신 날짜 (쓰신 내용은 아닙니다)
- 며칠 동안 일기를 쓰지 않으셨거나 기분이 계속 낮을 때 생기는 알림. 이때 담당자가 전화를 드릴 수 있습니다.

2. 일기 내용 (선택: 두 번째 칸에 표시하신 경우에만)
- 일기에 쓰신 글

3. 마음 건강 설문 결과와 위기 신호 (선택: 세 번째 칸에 표시하신 경우에만)
- 2주마다 답하실 수 있는 짧은 설문(PHQ-9, 65세 이상이신 분은 노인 우울 척도, 외로움 척도 세 문항)의 점수와 그 점수가 뜻하는 것. 점수는 진단이 아닙니다.
- 사이트가 위기 도움 안내를 보여 드린 때: 설문에서 차라리 죽는 것이 낫겠다거나 자신을 해치는 생각을 하셨다고 답하셨거나, 일기 내용에 죽음이나 자해에 관한 말이 있었을 때입니다. 담당자가 전화를 드릴 수 있도록 긴급 알림과 이메일로 바로 알려 드립니다. 담당자는 그런 일이 있었다는 것과 그 이유(설문 답변 또는 일기 내용)만 보며, 일기 내용 공유에도 동의하신 경우가 아니면 쓰신 글은 보지 못합니다.

절대 공유하지 않는 것: 사진, 이메일 주소와 비밀번호, 그 밖의 계정 정보

볼 수 있는 사람: 복지관이 배정한 담당 사회복지사 한 명뿐이며, 2단계 인증으로 로그인해야 볼 수 있습니다. 복지관의 다른 직원과 moodsite 직원은 볼 수 없습니다.

담당자가 정보를 볼 때마다 기록됩니다. '내 정보를 본 사람' 페이지에서 누가 언제 보았는지 확인하실 수 있습니다.

언제든지 '돌봄 센터' 페이지에서 공유를 멈추실 수 있으며, 그 즉시 볼 수 없게 됩니다. 동의 기록과 열람 기록은 확인하실 수 있도록 남겨 둡니다.

목적: 전화나 방문이 필요할 때 복지관이 빨리 알아차리도록 하기 위해서입니다. 공유는 자유롭게 선택하시는 것이며, 연결하지 않으셔도 일기에는 아무 변화가 없습니다.

법적 근거: 정보주체의 명시적인 별도 동의 (개인정보 보호법 제23조 민감정보의 처리; GDPR 제9조 제2항 (a))
"""


def publish(apps, schema_editor):
    ConsentText = apps.get_model("welfare", "ConsentText")
    ConsentText.objects.get_or_create(version=2, defaults={"body_en": BODY_EN, "body_ko": BODY_KO})


def unpublish(apps, schema_editor):
    apps.get_model("welfare", "ConsentText").objects.filter(version=2).delete()


class Migration(migrations.Migration):
    dependencies = [("welfare", "0003_consent_share_checks_and_wellbeing_alerts")]

    operations = [migrations.RunPython(publish, unpublish)]
